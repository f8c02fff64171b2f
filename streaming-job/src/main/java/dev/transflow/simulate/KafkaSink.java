package dev.transflow.simulate;

import dev.transflow.replay.OrderedEventWriter;
import dev.transflow.topic.EventProducer;

/**
 * Sends impressions and clicks to Kafka in event-time order through {@link OrderedEventWriter}: the same mapping
 * and ordering as replayed CSV rows.
 */
public final class KafkaSink implements EventSink {

    private final World world;
    private final EventProducer producer;
    private final OrderedEventWriter writer;
    private final String idPrefix;

    /** @param idPrefix makes impression ids unique across runs, e.g. derived from the seed */
    public KafkaSink(World world, EventProducer producer, String idPrefix) {
        this.world = world;
        this.producer = producer;
        this.writer = new OrderedEventWriter(producer);
        this.idPrefix = idPrefix;
    }

    @Override
    public void accept(SimulatedImpression imp) {
        writer.write(imp.entityType, world.row(imp), "simulator", idPrefix + "-" + imp.sequence, imp.clickTime);
    }

    @Override
    public void finish() {
        writer.finish();
    }

    @Override
    public void close() {
        producer.close();
    }
}

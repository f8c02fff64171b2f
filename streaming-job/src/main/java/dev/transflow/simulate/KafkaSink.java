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
    private final boolean live;

    /** @param idPrefix makes impression ids unique across runs, e.g. derived from the seed */
    public KafkaSink(World world, EventProducer producer, String idPrefix) {
        this(world, producer, idPrefix, false);
    }

    private KafkaSink(World world, EventProducer producer, String idPrefix, boolean live) {
        this.world = world;
        this.producer = producer;
        this.writer = new OrderedEventWriter(producer);
        this.idPrefix = idPrefix;
        this.live = live;
    }

    /**
     * A sink for a simulation whose event time is the wall clock: when it finishes, the world ends now, so clicks
     * due later are not sent (sending them would put records from the future on the topic, which the jobs
     * dead-letter beyond {@code transflow.source.max-future-skew}).
     */
    public static KafkaSink live(World world, EventProducer producer, String idPrefix) {
        return new KafkaSink(world, producer, idPrefix, true);
    }

    @Override
    public void accept(SimulatedImpression imp) {
        writer.write(imp.entityType, world.row(imp), "simulator", idPrefix + "-" + imp.sequence, imp.clickTime);
    }

    @Override
    public void finish() {
        if (live) {
            writer.finishAt(System.currentTimeMillis());
        } else {
            writer.finish();
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}

package dev.transflow.simulate;

import dev.transflow.model.feature.InteractionRow;
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
        String[] categorical = new String[8];
        double[] numeric = new double[1];
        world.features(imp, categorical, numeric);
        InteractionRow row = new InteractionRow(World.layout(imp.entityType), imp.time, World.userId(imp.user),
                World.itemId(imp.entityType, imp.item), imp.clicked ? 1 : 0, categorical, numeric, 0);
        writer.write(imp.entityType, row, "simulator", idPrefix + "-" + imp.sequence, imp.clickTime);
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

package dev.transflow.replay;

import dev.transflow.model.feature.InteractionRow;
import dev.transflow.schemas.EntityType;
import dev.transflow.topic.EventProducer;
import dev.transflow.topic.Topic;

import java.util.PriorityQueue;

/**
 * Writes impressions and their clicks to Kafka in event-time order. Impressions must arrive in time order; a click
 * is held back until an impression at or after its click time has been written (or {@link #finish()}).
 */
public final class OrderedEventWriter {

    private record PendingClick(long time, long sequence, EntityType type, InteractionRow row, String impressionId) {}

    private final EventProducer producer;
    private final PriorityQueue<PendingClick> clicks = new PriorityQueue<>(
            (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.sequence, b.sequence));
    private long sequence;
    private long lastTime = Long.MIN_VALUE;
    private long impressions;
    private long clicksWritten;

    public OrderedEventWriter(EventProducer producer) {
        this.producer = producer;
    }

    /**
     * Writes the impression of {@code row}, and schedules its click at {@code clickTime} when the row's label is 1.
     *
     * @param file where the row comes from, named in mapping errors
     * @throws dev.transflow.model.feature.CsvFormatException when the row's features do not fit the schema
     */
    public void write(EntityType type, InteractionRow row, String file, String impressionId, long clickTime) {
        if (row.timestamp() < lastTime) {
            throw new IllegalArgumentException("Impressions must be written in time order: " + row.timestamp()
                    + " after " + lastTime);
        }
        var impression = ImpressionMapping.impression(type, row, impressionId, file);
        drainUntil(row.timestamp());
        lastTime = row.timestamp();
        Topic topic = type == EntityType.PRODUCT ? Topic.PRODUCT_IMPRESSIONS : Topic.POST_IMPRESSIONS;
        producer.send(topic, row.userId(), impression, row.timestamp());
        impressions++;
        if (row.label() == 1) {
            if (clickTime < row.timestamp()) {
                throw new IllegalArgumentException("A click cannot precede its impression");
            }
            clicks.add(new PendingClick(clickTime, sequence++, type, row, impressionId));
        }
    }

    private void drainUntil(long time) {
        while (!clicks.isEmpty() && clicks.peek().time <= time) {
            PendingClick click = clicks.poll();
            producer.send(Topic.CLICKS, click.row.userId(),
                    ImpressionMapping.click(click.type, click.row, click.impressionId, click.time), click.time);
            clicksWritten++;
        }
    }

    /** Writes the clicks still held back and waits until Kafka acknowledged everything. */
    public void finish() {
        finishAt(Long.MAX_VALUE);
    }

    /**
     * Ends a stream that stops at event time {@code time}: the clicks held back up to it are written, later ones
     * are discarded (they never happened), and Kafka has acknowledged everything when this returns.
     *
     * @return the clicks discarded
     */
    public long finishAt(long time) {
        drainUntil(time);
        long discarded = clicks.size();
        clicks.clear();
        producer.flush();
        return discarded;
    }

    public long impressions() {
        return impressions;
    }

    public long clicks() {
        return clicksWritten;
    }
}

package dev.transflow.replay;

import dev.transflow.model.feature.CsvFormatException;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.schemas.EntityType;
import dev.transflow.topic.EventProducer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Produces labeled rows of both domains to Kafka as impression and click events, merged in event-time order.
 * A row with label 1 yields a click {@code clickDelay} after its impression.
 */
public final class Replayer {

    /** The rows of one file; products for the source domain, posts for the target. */
    public record Input(EntityType type, String file, List<InteractionRow> rows) {}

    /** What a replay produced. */
    public record Summary(long sourceRows, long targetRows, long impressions, long clicks, double seconds) {
        public String format() {
            return String.format(java.util.Locale.ROOT, "replayed %d source and %d target rows: %d impressions, "
                    + "%d clicks in %.2f s", sourceRows, targetRows, impressions, clicks, seconds);
        }
    }

    private record Entry(EntityType type, String file, InteractionRow row) {}

    private final EventProducer producer;
    private final Duration clickDelay;
    private final double speedup;
    private final String idPrefix;

    /**
     * @param speedup event-time seconds per wall-clock second; 0 = as fast as possible
     * @param idPrefix prefix of the generated impression ids
     */
    public Replayer(EventProducer producer, Duration clickDelay, double speedup, String idPrefix) {
        if (speedup < 0) {
            throw new IllegalArgumentException("The speed-up must be >= 0, got " + speedup);
        }
        if (clickDelay.isNegative()) {
            throw new IllegalArgumentException("The click delay must not be negative");
        }
        this.producer = producer;
        this.clickDelay = clickDelay;
        this.speedup = speedup;
        this.idPrefix = idPrefix;
    }

    public Summary replay(List<Input> inputs, Consumer<CsvFormatException> badRows, BooleanSupplier stop) {
        long started = System.nanoTime();
        List<Entry> entries = new ArrayList<>();
        long sourceRows = 0;
        long targetRows = 0;
        for (Input input : inputs) {
            for (InteractionRow row : input.rows()) {
                entries.add(new Entry(input.type(), input.file(), row));
            }
            if (input.type() == EntityType.PRODUCT) {
                sourceRows += input.rows().size();
            } else {
                targetRows += input.rows().size();
            }
        }
        entries.sort(Comparator.comparingLong((Entry e) -> e.row.timestamp())
                .thenComparing(e -> e.type)
                .thenComparingLong(e -> e.row.line()));

        OrderedEventWriter writer = new OrderedEventWriter(producer);
        long firstTime = entries.isEmpty() ? 0 : entries.get(0).row.timestamp();
        long wallStart = System.nanoTime();
        for (int i = 0; i < entries.size(); i++) {
            if ((i & 1023) == 0 && stop.getAsBoolean()) {
                break;
            }
            Entry e = entries.get(i);
            if (speedup > 0) {
                long due = wallStart + (long) ((e.row.timestamp() - firstTime) * 1e6 / speedup);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            String id = idPrefix + "-" + (e.type == EntityType.PRODUCT ? "s" : "t") + e.row.line();
            try {
                writer.write(e.type, e.row, e.file, id, e.row.timestamp() + clickDelay.toMillis());
            } catch (CsvFormatException mappingError) {
                badRows.accept(mappingError);
            }
        }
        writer.finish();
        return new Summary(sourceRows, targetRows, writer.impressions(), writer.clicks(),
                (System.nanoTime() - started) / 1e9);
    }
}

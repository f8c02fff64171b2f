package dev.transflow.job;

import dev.transflow.source.SourceOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.time.Duration;

/** Settings of the sample pipeline (decode, sample join: user history and labels). */
public final class SampleJobOptions {

    private SampleJobOptions() {}

    public static final ConfigOption<Duration> ATTRIBUTION_WINDOW = ConfigOptions.key("join.attribution-window")
            .durationType().defaultValue(Duration.ofMinutes(5))
            .withDescription("A click at most this long after its impression (event time) labels it positive. "
                    + "Must be longer than source.max-future-skew.");

    /**
     * {@link #ATTRIBUTION_WINDOW}: positive, and longer than {@link SourceOptions#MAX_FUTURE_SKEW}, or a single
     * accepted event from the future would close every open window, as negatives.
     */
    public static Duration attributionWindow(Configuration config) {
        Duration window = config.get(ATTRIBUTION_WINDOW);
        Duration skew = SourceOptions.maxFutureSkew(config);
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException(ATTRIBUTION_WINDOW.key() + " is " + window + "; it must be positive");
        }
        if (skew.compareTo(window) >= 0) {
            throw new IllegalArgumentException(String.format("%s (%s) must be shorter than %s (%s): one accepted "
                    + "event that far ahead of the clock moves the watermark past every open window, which then "
                    + "closes as a negative. Set %s to a small part of the window, e.g. %s=%s, or lengthen the "
                    + "window", SourceOptions.MAX_FUTURE_SKEW.key(), skew, ATTRIBUTION_WINDOW.key(), window,
                    SourceOptions.MAX_FUTURE_SKEW.key(), SourceOptions.MAX_FUTURE_SKEW.key(), tenthOf(window)));
        }
        return window;
    }

    /** A tenth of {@code window}, as a value of a duration option. */
    private static String tenthOf(Duration window) {
        Duration tenth = window.dividedBy(10);
        return tenth.toMillis() % 1000 == 0 ? tenth.toSeconds() + "s" : tenth.toMillis() + "ms";
    }

    public static final ConfigOption<Duration> LATE_CLICK_RETENTION = ConfigOptions.key("join.late-click-retention")
            .durationType().defaultValue(Duration.ofHours(1))
            .withDescription("How long a labeled impression is remembered (processing time, state TTL) to recognise "
                    + "late clicks and reused impression ids, and how long (event time) a click waits for an "
                    + "impression that has not arrived.");

    public static final ConfigOption<Integer> HISTORY_LENGTH = ConfigOptions.key("history.length").intType()
            .defaultValue(10).withDescription("Clicked items per entity type attached to each sample.");

    public static final ConfigOption<Duration> HISTORY_TTL = ConfigOptions.key("history.ttl").durationType()
            .defaultValue(Duration.ofDays(30)).withDescription("History of a user idle this long expires.");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = ConfigOptions.key("source.out-of-orderness")
            .durationType().defaultValue(Duration.ofSeconds(5))
            .withDescription("Bound on how late (event time) an event may arrive behind the newest one of its "
                    + "Kafka partition; watermarks are generated per partition.");

    public static final ConfigOption<Duration> IDLENESS = ConfigOptions.key("source.idleness").durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("A partition without events this long no longer holds the watermark back.");
}

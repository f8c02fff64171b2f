package dev.transflow.job;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/** Settings of the sample pipeline (decode, sample join: user history and labels). */
public final class SampleJobOptions {

    private SampleJobOptions() {}

    public static final ConfigOption<Duration> ATTRIBUTION_WINDOW = ConfigOptions.key("join.attribution-window")
            .durationType().defaultValue(Duration.ofMinutes(5))
            .withDescription("A click at most this long after its impression (event time) labels it positive.");

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
            .withDescription("Bound on how late (event time) an event may arrive behind the newest one.");

    public static final ConfigOption<Duration> IDLENESS = ConfigOptions.key("source.idleness").durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("A partition without events this long no longer holds the watermark back.");
}

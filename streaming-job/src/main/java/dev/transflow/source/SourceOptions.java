package dev.transflow.source;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/** Limits that input records must respect; records outside them go to the dead-letter topic. */
public final class SourceOptions {

    private SourceOptions() {}

    public static final ConfigOption<Integer> MAX_ID_LENGTH = ConfigOptions.key("source.max-id-length").intType()
            .defaultValue(256).withDescription("Longest accepted user, item or impression id, in characters.");

    public static final ConfigOption<Duration> MAX_FUTURE_SKEW = ConfigOptions.key("source.max-future-skew")
            .durationType().defaultValue(Duration.ofHours(1))
            .withDescription("How far ahead of the wall clock an event time may be; later ones are rejected, since "
                    + "they would push the watermark past every real event.");
}

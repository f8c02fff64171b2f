package dev.transflow.history;

import dev.transflow.config.Validators;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.time.Duration;

/** {@code transflow.history.*}: the click history attached to each sample. */
public final class HistoryOptions {

    private HistoryOptions() {}

    public static final String PREFIX = "transflow.history.";

    public static final Validators VALIDATORS = new Validators();

    public static final ConfigOption<Integer> LENGTH = VALIDATORS.add(ConfigOptions.key(PREFIX + "length")
            .intType().defaultValue(10).withDeprecatedKeys("history.length")
            .withDescription("Clicked items per entity type attached to each sample."),
            Validators.atLeast(1));

    public static int length(Configuration config) {
        return VALIDATORS.get(config, LENGTH);
    }

    public static final ConfigOption<Duration> TTL = VALIDATORS.add(ConfigOptions.key(PREFIX + "ttl")
            .durationType().defaultValue(Duration.ofDays(30)).withDeprecatedKeys("history.ttl")
            .withDescription("History of a user idle this long expires."),
            Validators.positive());

    public static Duration ttl(Configuration config) {
        return VALIDATORS.get(config, TTL);
    }
}

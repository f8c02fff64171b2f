package dev.transflow.train;

import dev.transflow.config.Validators;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.time.Duration;

/** {@code transflow.tem.*}: when the TEM job publishes. */
public final class TemOptions {

    private TemOptions() {}

    public static final String PREFIX = "transflow.tem.";

    public static final Validators VALIDATORS = new Validators();

    public static final ConfigOption<Duration> PUBLISH_INTERVAL = VALIDATORS.add(ConfigOptions
            .key(PREFIX + "publish-interval").durationType().defaultValue(Duration.ofMinutes(10))
            .withDeprecatedKeys("tem.publish-interval")
            .withDescription("The TEM job publishes a snapshot (checkpoint + SavedModel for serving) this often; "
                    + "0 = never."),
            Validators.notNegative());

    public static Duration publishInterval(Configuration config) {
        return VALIDATORS.get(config, PUBLISH_INTERVAL);
    }
}

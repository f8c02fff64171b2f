package dev.transflow.topic;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** {@code transflow.kafka.*}: the Kafka clients of Transflow's sources and sinks. */
public final class KafkaOptions {

    private KafkaOptions() {}

    public static final String PREFIX = "transflow.kafka.";

    public static final ConfigOption<Boolean> CLIENT_METRICS = ConfigOptions.key(PREFIX + "client-metrics")
            .booleanType().defaultValue(false).withDeprecatedKeys("kafka.client-metrics")
            .withDescription("Also register every metric of the Kafka consumers and producers with Flink (dozens "
                    + "per client). Off by default: the web UI and REST fetch all metrics at once, which then costs "
                    + "noticeable CPU. Flink's own source and sink metrics (records in and out, pending records, "
                    + "commits) are registered either way.");
}

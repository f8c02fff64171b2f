package dev.transflow.topic;

import dev.transflow.config.Validators;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.base.DeliveryGuarantee;

import java.time.Duration;

/**
 * {@code transflow.sink.*}: the Kafka sinks of Transflow's jobs. Under Transflow's root so that they cannot be
 * taken for the Kafka SQL connector's {@code sink.*} keys.
 */
public final class SinkOptions {

    private SinkOptions() {}

    public static final String PREFIX = "transflow.sink.";

    public static final Validators VALIDATORS = new Validators();

    public static final ConfigOption<DeliveryGuarantee> DELIVERY_GUARANTEE = ConfigOptions
            .key(PREFIX + "delivery-guarantee").enumType(DeliveryGuarantee.class)
            .defaultValue(DeliveryGuarantee.EXACTLY_ONCE).withDeprecatedKeys("sink.delivery-guarantee")
            .withDescription("EXACTLY_ONCE: output records are written in Kafka transactions that commit with each "
                    + "checkpoint (readers use isolation.level=read_committed and see them after the checkpoint). "
                    + "AT_LEAST_ONCE: visible at once, duplicated after a failure.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = VALIDATORS.add(ConfigOptions
            .key(PREFIX + "transaction-timeout").durationType().defaultValue(Duration.ofMinutes(15))
            .withDeprecatedKeys("sink.transaction-timeout")
            .withDescription("Kafka transaction timeout of exactly-once sinks; at most the broker's "
                    + "transaction.max.timeout.ms (15 min by default) and well above the checkpoint interval."),
            Validators.positive());

    public static Duration transactionTimeout(Configuration config) {
        return VALIDATORS.get(config, TRANSACTION_TIMEOUT);
    }

    /** The smallest {@link #MAX_REQUEST_SIZE}: room for a sample with its history. */
    private static final long MIN_REQUEST_SIZE = 64 * 1024;

    public static final ConfigOption<MemorySize> MAX_REQUEST_SIZE = VALIDATORS.add(ConfigOptions
            .key(PREFIX + "max-request-size").memoryType().defaultValue(MemorySize.parse("1mb"))
            .withDeprecatedKeys("sink.max-request-size")
            .withDescription("Largest record the Kafka sinks send (the producers' max.request.size); Kafka's "
                    + "default. Keep it at most the broker's message.max.bytes and the topics' max.message.bytes "
                    + "(also 1 MiB by default), or the broker rejects what the producer sends. Input records, samples "
                    + "and dead letters are bounded to fit it (transflow.source.max-record-size, "
                    + "transflow.source.max-dead-letter-payload)."),
            value -> value.getBytes() < MIN_REQUEST_SIZE || value.getBytes() > Integer.MAX_VALUE
                    ? value.getBytes() + " bytes; it must be between " + MIN_REQUEST_SIZE + " and "
                            + Integer.MAX_VALUE
                    : null);

    /** {@link #MAX_REQUEST_SIZE} in bytes: an int for Kafka. */
    public static int maxRequestSize(Configuration config) {
        return (int) VALIDATORS.get(config, MAX_REQUEST_SIZE).getBytes();
    }

    /**
     * Bytes Kafka adds to a record's key and value in a batch of one, with room to spare (about 90 in Kafka 4:
     * batch header, record header, varint lengths). The producer rejects a record whose size with these exceeds
     * {@link #MAX_REQUEST_SIZE}.
     */
    public static final int RECORD_OVERHEAD = 1024;
}

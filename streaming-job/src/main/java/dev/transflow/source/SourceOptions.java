package dev.transflow.source;

import dev.transflow.config.Validators;
import dev.transflow.topic.SinkOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;

/**
 * {@code transflow.source.*}: limits that input records must respect (records outside them go to the dead-letter
 * topic) and the watermarks of the sources. Jobs read checked options through the accessors below them.
 */
public final class SourceOptions {

    private SourceOptions() {}

    public static final String PREFIX = "transflow.source.";

    public static final Validators VALIDATORS = new Validators();

    public static final ConfigOption<Integer> MAX_ID_LENGTH = VALIDATORS.add(ConfigOptions
            .key(PREFIX + "max-id-length").intType().defaultValue(256)
            .withDeprecatedKeys("source.max-id-length")
            .withDescription("Longest accepted user, item or impression id, and impression "
                    + "category (it is copied into the click history of every later sample), in characters."),
            Validators.atLeast(1));

    public static int maxIdLength(Configuration config) {
        return VALIDATORS.get(config, MAX_ID_LENGTH);
    }

    public static final ConfigOption<Duration> MAX_FUTURE_SKEW = VALIDATORS.add(ConfigOptions
            .key(PREFIX + "max-future-skew").durationType().defaultValue(Duration.ofSeconds(30))
            .withDeprecatedKeys("source.max-future-skew")
            .withDescription("How far ahead of the wall clock an event time may be; a later one goes to "
                    + "dead-letters (INVALID_FIELD). An accepted event ahead of the clock moves its partition's "
                    + "watermark that far ahead: attribution windows that end within that much of now close early, "
                    + "their clicks late, and impressions that arrive meanwhile are labeled that much later. "
                    + "Room for producers' clock skew, so a small part of transflow.join.attribution-window; the "
                    + "sample job requires it to be shorter."),
            Validators.notNegative());

    public static Duration maxFutureSkew(Configuration config) {
        return VALIDATORS.get(config, MAX_FUTURE_SKEW);
    }

    public static final ConfigOption<MemorySize> MAX_RECORD_SIZE = ConfigOptions.key(PREFIX + "max-record-size")
            .memoryType().defaultValue(MemorySize.parse("512kb"))
            .withDeprecatedKeys("source.max-record-size")
            .withDescription("Largest accepted Kafka record value; a larger one goes to dead-letters undecoded "
                    + "(RECORD_TOO_LARGE). A sample is its impression plus the user's click history and must fit "
                    + "transflow.sink.max-request-size, which the job checks when it starts: lower this, "
                    + "transflow.history.length or transflow.source.max-id-length if it says they do not fit.");

    /** The smallest {@link #MAX_RECORD_SIZE}: every ordinary event must pass. */
    static final int MIN_RECORD_SIZE = 1024;

    /** {@link #MAX_RECORD_SIZE} in bytes: at least 1 KiB, and room left for Kafka's framing under the sinks' limit. */
    public static int maxRecordSize(Configuration config) {
        long size = config.get(MAX_RECORD_SIZE).getBytes();
        long limit = SinkOptions.maxRequestSize(config) - SinkOptions.RECORD_OVERHEAD;
        if (size < MIN_RECORD_SIZE || size > limit) {
            throw new IllegalArgumentException(String.format("%s is %d bytes; it must be between %d and %d (%s less "
                    + "%d bytes of Kafka framing)", MAX_RECORD_SIZE.key(), size, MIN_RECORD_SIZE, limit,
                    SinkOptions.MAX_REQUEST_SIZE.key(), SinkOptions.RECORD_OVERHEAD));
        }
        return (int) size;
    }

    public static final ConfigOption<Integer> MAX_EXTRA_ENTRIES = VALIDATORS.add(ConfigOptions
            .key(PREFIX + "max-extra-entries").intType().defaultValue(256)
            .withDeprecatedKeys("source.max-extra-entries")
            .withDescription("Most entries an impression may have in its extra feature maps, the user, shared and "
                    + "specific groups, categorical and numeric, all together; an impression with more goes to "
                    + "dead-letters (INVALID_FIELD). Every entry becomes a feature of the sample."),
            value -> value < 0 ? value + "; it must be >= 0" : null);

    public static int maxExtraEntries(Configuration config) {
        return VALIDATORS.get(config, MAX_EXTRA_ENTRIES);
    }

    public static final ConfigOption<MemorySize> MAX_DEAD_LETTER_PAYLOAD = ConfigOptions
            .key(PREFIX + "max-dead-letter-payload").memoryType().defaultValue(MemorySize.parse("64kb"))
            .withDeprecatedKeys("source.max-dead-letter-payload")
            .withDescription("How many bytes of a rejected record's value, and of its key, its dead letter keeps; "
                    + "the rest is cut off and the dead letter says so (valueTruncated, keyTruncated; valueSize "
                    + "is the original size). Bounded so that every dead letter fits transflow.sink.max-request-size.");

    /** {@link #MAX_DEAD_LETTER_PAYLOAD} in bytes: not negative, and a dead letter of that much fits the sinks. */
    public static int maxDeadLetterPayload(Configuration config) {
        long payload = config.get(MAX_DEAD_LETTER_PAYLOAD).getBytes();
        int limit = SinkOptions.maxRequestSize(config);
        if (payload > Integer.MAX_VALUE || DeadLetters.maxRecordSize((int) payload) > limit) {
            throw new IllegalArgumentException(String.format("%s is %d bytes; a dead letter keeps that much of the "
                    + "value and of the key, with its reason, and must fit %s (%d bytes): lower it to at most %d",
                    MAX_DEAD_LETTER_PAYLOAD.key(), payload, SinkOptions.MAX_REQUEST_SIZE.key(), limit,
                    DeadLetters.largestPayload(limit)));
        }
        return (int) payload;
    }

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = VALIDATORS.add(ConfigOptions
            .key(PREFIX + "out-of-orderness").durationType().defaultValue(Duration.ofSeconds(5))
            .withDeprecatedKeys("source.out-of-orderness")
            .withDescription("Bound on how late (event time) an event may arrive behind the newest one of its "
                    + "Kafka partition; watermarks are generated per partition."),
            Validators.notNegative());

    public static Duration outOfOrderness(Configuration config) {
        return VALIDATORS.get(config, OUT_OF_ORDERNESS);
    }

    public static final ConfigOption<Duration> IDLENESS = VALIDATORS.add(ConfigOptions
            .key(PREFIX + "idleness").durationType().defaultValue(Duration.ofSeconds(30))
            .withDeprecatedKeys("source.idleness")
            .withDescription("A partition without events this long no longer holds the watermark back."),
            Validators.positive());

    public static Duration idleness(Configuration config) {
        return VALIDATORS.get(config, IDLENESS);
    }

    static {
        // Both limits depend on the sinks' record size, so they are checked together with it.
        VALIDATORS.named("max-record-size-fits-sinks", SourceOptions::maxRecordSize)
                .named("dead-letter-fits-sinks", SourceOptions::maxDeadLetterPayload);
    }
}

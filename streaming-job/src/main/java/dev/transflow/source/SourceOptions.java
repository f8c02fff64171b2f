package dev.transflow.source;

import dev.transflow.topic.TopicIo;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;

/**
 * Limits that input records must respect; records outside them go to the dead-letter topic. Each option that can
 * be set to a value the jobs cannot work with has a checked accessor right below it; jobs read options through
 * those.
 */
public final class SourceOptions {

    private SourceOptions() {}

    public static final ConfigOption<Integer> MAX_ID_LENGTH = ConfigOptions.key("source.max-id-length").intType()
            .defaultValue(256).withDescription("Longest accepted user, item or impression id, and impression "
                    + "category (it is copied into the click history of every later sample), in characters.");

    /** {@link #MAX_ID_LENGTH}, at least 1. */
    public static int maxIdLength(Configuration config) {
        int length = config.get(MAX_ID_LENGTH);
        if (length < 1) {
            throw new IllegalArgumentException(MAX_ID_LENGTH.key() + " is " + length + "; it must be at least 1");
        }
        return length;
    }

    public static final ConfigOption<Duration> MAX_FUTURE_SKEW = ConfigOptions.key("source.max-future-skew")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("How far ahead of the wall clock an event time may be; a later one goes to "
                    + "dead-letters (INVALID_FIELD). An accepted event ahead of the clock moves its partition's "
                    + "watermark that far ahead: attribution windows that end within that much of now close early, "
                    + "their clicks late, and impressions that arrive meanwhile are labeled that much later. "
                    + "Room for producers' clock skew, so a small part of join.attribution-window; the sample job "
                    + "requires it to be shorter.");

    /** {@link #MAX_FUTURE_SKEW}, not negative. */
    public static Duration maxFutureSkew(Configuration config) {
        Duration skew = config.get(MAX_FUTURE_SKEW);
        if (skew.isNegative()) {
            throw new IllegalArgumentException(MAX_FUTURE_SKEW.key() + " is " + skew + "; it must be >= 0");
        }
        return skew;
    }

    public static final ConfigOption<MemorySize> MAX_RECORD_SIZE = ConfigOptions.key("source.max-record-size")
            .memoryType().defaultValue(MemorySize.parse("512kb"))
            .withDescription("Largest accepted Kafka record value; a larger one goes to dead-letters undecoded "
                    + "(RECORD_TOO_LARGE). A sample is its impression plus the user's click history and must fit "
                    + "sink.max-request-size, which the job checks when it starts: lower this, history.length or "
                    + "source.max-id-length if it says they do not fit.");

    /** The smallest {@link #MAX_RECORD_SIZE}: every ordinary event must pass. */
    static final int MIN_RECORD_SIZE = 1024;

    /** {@link #MAX_RECORD_SIZE} in bytes: at least 1 KiB, and room left for Kafka's framing under the sinks' limit. */
    public static int maxRecordSize(Configuration config) {
        long size = config.get(MAX_RECORD_SIZE).getBytes();
        long limit = TopicIo.maxRequestSize(config) - TopicIo.RECORD_OVERHEAD;
        if (size < MIN_RECORD_SIZE || size > limit) {
            throw new IllegalArgumentException(String.format("%s is %d bytes; it must be between %d and %d (%s less "
                    + "%d bytes of Kafka framing)", MAX_RECORD_SIZE.key(), size, MIN_RECORD_SIZE, limit,
                    TopicIo.MAX_REQUEST_SIZE.key(), TopicIo.RECORD_OVERHEAD));
        }
        return (int) size;
    }

    public static final ConfigOption<Integer> MAX_EXTRA_ENTRIES = ConfigOptions.key("source.max-extra-entries")
            .intType().defaultValue(256)
            .withDescription("Most entries an impression may have in its extra feature maps, the user, shared and "
                    + "specific groups, categorical and numeric, all together; an impression with more goes to "
                    + "dead-letters (INVALID_FIELD). Every entry becomes a feature of the sample.");

    /** {@link #MAX_EXTRA_ENTRIES}, not negative. */
    public static int maxExtraEntries(Configuration config) {
        int entries = config.get(MAX_EXTRA_ENTRIES);
        if (entries < 0) {
            throw new IllegalArgumentException(MAX_EXTRA_ENTRIES.key() + " is " + entries + "; it must be >= 0");
        }
        return entries;
    }

    public static final ConfigOption<MemorySize> MAX_DEAD_LETTER_PAYLOAD = ConfigOptions
            .key("source.max-dead-letter-payload").memoryType().defaultValue(MemorySize.parse("64kb"))
            .withDescription("How many bytes of a rejected record's value, and of its key, its dead letter keeps; "
                    + "the rest is cut off and the dead letter says so (valueTruncated, keyTruncated; valueSize "
                    + "is the original size). Bounded so that every dead letter fits sink.max-request-size.");

    /** {@link #MAX_DEAD_LETTER_PAYLOAD} in bytes: not negative, and a dead letter of that much fits the sinks. */
    public static int maxDeadLetterPayload(Configuration config) {
        long payload = config.get(MAX_DEAD_LETTER_PAYLOAD).getBytes();
        int limit = TopicIo.maxRequestSize(config);
        if (payload > Integer.MAX_VALUE || DeadLetters.maxRecordSize((int) payload) > limit) {
            throw new IllegalArgumentException(String.format("%s is %d bytes; a dead letter keeps that much of the "
                    + "value and of the key, with its reason, and must fit %s (%d bytes): lower it to at most %d",
                    MAX_DEAD_LETTER_PAYLOAD.key(), payload, TopicIo.MAX_REQUEST_SIZE.key(), limit,
                    DeadLetters.largestPayload(limit)));
        }
        return (int) payload;
    }
}

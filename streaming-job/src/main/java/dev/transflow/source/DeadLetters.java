package dev.transflow.source;

import dev.transflow.schemas.DeadLetter;
import dev.transflow.topic.SinkOptions;

import org.apache.flink.configuration.Configuration;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Builds the dead letter of a raw record, bounded in size: a dead letter the producer rejected would fail the sink,
 * and the job would restart into the same record forever. The raw key and value are kept up to
 * {@link SourceOptions#MAX_DEAD_LETTER_PAYLOAD} bytes each, the reason up to {@link #MAX_REASON_CHARS}
 * characters, so {@link #maxRecordSize} bounds every dead letter this builds.
 */
public final class DeadLetters implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Longest reason kept; reasons quote field values, which can be long. */
    static final int MAX_REASON_CHARS = 2_000;

    /** Longest topic name, reason code and stage kept (Kafka topic names have at most 249 characters). */
    static final int MAX_LABEL_CHARS = 255;

    /** A string field of at most {@link #MAX_LABEL_CHARS}: its length, then at most 3 UTF-8 bytes per char. */
    private static final int LABEL_BYTES = 5 + 3 * MAX_LABEL_CHARS;

    /**
     * Bytes a dead letter takes beyond the kept key, value and reason characters: single-object header; topic,
     * code and stage; partition, offset, timestamp; union index and length of key and value; the reason's length;
     * failedAt, valueSize, the two flags; and the Kafka record's own key (the topic name). Varints take at most 5
     * bytes (int) or 10 (long).
     */
    private static final int FIXED_FIELDS = 10 + 3 * LABEL_BYTES + 5 + 10 + 11 + 2 * 6 + 5 + 10 + 6 + 2
            + LABEL_BYTES;

    private final int maxPayload;

    /** @param maxPayload bytes of the raw key and of the raw value that a dead letter keeps */
    public DeadLetters(int maxPayload) {
        if (maxPayload < 0) {
            throw new IllegalArgumentException("maxPayload is " + maxPayload + "; it must be >= 0");
        }
        this.maxPayload = maxPayload;
    }

    /** Dead letters as {@link SourceOptions#MAX_DEAD_LETTER_PAYLOAD} says, checked against the sinks' limit. */
    public static DeadLetters of(Configuration config) {
        return new DeadLetters(SourceOptions.maxDeadLetterPayload(config));
    }

    /**
     * Largest Kafka record, framing included, that a dead letter keeping {@code maxPayload} bytes of key and of
     * value can become: UTF-8 takes at most 3 bytes per Java char.
     */
    public static long maxRecordSize(int maxPayload) {
        return 2L * maxPayload + 3L * MAX_REASON_CHARS + FIXED_FIELDS + SinkOptions.RECORD_OVERHEAD;
    }

    /** The largest payload whose dead letters fit {@code maxRequestSize}, or 0 if none does. */
    static int largestPayload(int maxRequestSize) {
        return (int) Math.max(0, (maxRequestSize - maxRecordSize(0)) / 2);
    }

    /** The dead letter of {@code raw}, rejected at {@code stage} with {@code code} because of {@code reason}. */
    public DeadLetter of(RawRecord raw, String code, String reason, String stage, long now) {
        byte[] key = raw.key;
        byte[] value = raw.value;
        return DeadLetter.newBuilder()
                .setSourceTopic(clip(raw.topic, MAX_LABEL_CHARS)).setPartition(raw.partition).setOffset(raw.offset)
                .setRecordTimestamp(raw.timestamp)
                .setKey(key == null ? null : ByteBuffer.wrap(prefix(key)))
                .setKeyTruncated(key != null && key.length > maxPayload)
                .setValue(value == null ? null : ByteBuffer.wrap(prefix(value)))
                .setValueSize(value == null ? null : value.length)
                .setValueTruncated(value != null && value.length > maxPayload)
                .setReasonCode(clip(code, MAX_LABEL_CHARS)).setReason(clip(reason, MAX_REASON_CHARS))
                .setStage(clip(stage, MAX_LABEL_CHARS)).setFailedAt(now)
                .build();
    }

    private byte[] prefix(byte[] bytes) {
        return bytes.length <= maxPayload ? bytes : Arrays.copyOf(bytes, maxPayload);
    }

    /** {@code text} cut to at most {@code max} chars, saying so; never splits a surrogate pair. */
    static String clip(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        String marker = " [cut: " + text.length() + " chars]";
        int end = Math.max(0, max - marker.length());
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + marker;
    }
}

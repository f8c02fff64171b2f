package dev.transflow.source;

import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.schemas.codec.EventDecodeException;
import dev.transflow.topic.TopicIo;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.io.Serializable;
import java.util.Locale;

/**
 * Decodes and validates raw Kafka records of one event type. A record larger than the size limit, one that does not
 * decode (see {@link EventDecodeException.Reason}) or one that fails {@link EventValidator} goes to
 * {@link #DEAD_LETTERS} with the reason and its raw bytes (cut to a bounded size, see {@link DeadLetters}), and the
 * {@code deadLetters} counter rises: bad input never fails the job and is never dropped silently.
 */
public final class DecodeFunction<T extends SpecificRecord> extends ProcessFunction<RawRecord, T> {

    private static final long serialVersionUID = 1L;

    /** Side output of records that could not be used. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") { };

    /** Reason code of records that decode but break {@link EventValidator}. */
    public static final String INVALID_FIELD = "INVALID_FIELD";

    /** Reason code of records larger than the size limit; they are not decoded. */
    public static final String RECORD_TOO_LARGE = "RECORD_TOO_LARGE";

    /** Wall-clock source, replaceable in tests. */
    public interface Clock extends Serializable {
        long millis();
    }

    private final EventCodec<T> codec;
    private final EventValidator validator;
    private final int maxRecordSize;
    private final DeadLetters letters;
    private final Clock clock;
    private transient Counter decoded;
    private transient Counter deadLetters;

    /** With the default limits of {@link SourceOptions}. */
    public DecodeFunction(Class<T> type, EventValidator validator, Clock clock) {
        this(type, validator, (int) SourceOptions.MAX_RECORD_SIZE.defaultValue().getBytes(),
                new DeadLetters((int) SourceOptions.MAX_DEAD_LETTER_PAYLOAD.defaultValue().getBytes()), clock);
    }

    /**
     * @param maxRecordSize largest value, in bytes, that is decoded; larger ones are dead letters
     * @param letters builds the bounded dead letters
     */
    public DecodeFunction(Class<T> type, EventValidator validator, int maxRecordSize, DeadLetters letters,
            Clock clock) {
        this.codec = EventCodec.of(type);
        this.validator = validator;
        this.maxRecordSize = maxRecordSize;
        this.letters = letters;
        this.clock = clock;
    }

    @Override
    public void open(OpenContext context) {
        decoded = getRuntimeContext().getMetricGroup().counter("decoded");
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<T> out) {
        if (raw.value != null && raw.value.length > maxRecordSize) {
            // Checked before decoding: whatever derives from a record (a sample) must still fit the sinks.
            deadLetter(raw, RECORD_TOO_LARGE, String.format(Locale.ROOT, "Value of %d bytes exceeds the %d bytes "
                    + "accepted for a %s (%s; for samples %s); the producer must send smaller records, or the "
                    + "limit be raised", raw.value.length, maxRecordSize, codec.type().recordName(),
                    SourceOptions.MAX_RECORD_SIZE.key(), TopicIo.MAX_REQUEST_SIZE.key()), ctx);
            return;
        }
        T event;
        try {
            event = codec.decode(raw.value);
        } catch (EventDecodeException e) {
            deadLetter(raw, e.reason().name(), e.getMessage(), ctx);
            return;
        }
        try {
            validator.validate(event, clock.millis());
        } catch (InvalidEventException e) {
            deadLetter(raw, INVALID_FIELD, e.getMessage(), ctx);
            return;
        }
        decoded.inc();
        out.collect(event);
    }

    private void deadLetter(RawRecord raw, String code, String reason, Context ctx) {
        deadLetters.inc();
        ctx.output(DEAD_LETTERS, letters.of(raw, code, reason, "decode", clock.millis()));
    }
}

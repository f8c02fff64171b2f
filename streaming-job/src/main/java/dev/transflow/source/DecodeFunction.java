package dev.transflow.source;

import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.schemas.codec.EventDecodeException;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.io.Serializable;
import java.nio.ByteBuffer;

/**
 * Decodes and validates raw Kafka records of one event type. A record that does not decode (see
 * {@link EventDecodeException.Reason}) or fails {@link EventValidator} goes to {@link #DEAD_LETTERS} with the reason
 * and its raw bytes, and the {@code deadLetters} counter rises: bad input never fails the job and is never dropped
 * silently.
 */
public final class DecodeFunction<T extends SpecificRecord> extends ProcessFunction<RawRecord, T> {

    private static final long serialVersionUID = 1L;

    /** Side output of records that could not be used. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") { };

    /** Reason code of records that decode but break {@link EventValidator}. */
    public static final String INVALID_FIELD = "INVALID_FIELD";

    /** Wall-clock source, replaceable in tests. */
    public interface Clock extends Serializable {
        long millis();
    }

    private final EventCodec<T> codec;
    private final EventValidator validator;
    private final Clock clock;
    private transient Counter decoded;
    private transient Counter deadLetters;

    public DecodeFunction(Class<T> type, EventValidator validator, Clock clock) {
        this.codec = EventCodec.of(type);
        this.validator = validator;
        this.clock = clock;
    }

    @Override
    public void open(OpenContext context) {
        decoded = getRuntimeContext().getMetricGroup().counter("decoded");
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<T> out) {
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
        ctx.output(DEAD_LETTERS, DeadLetter.newBuilder()
                .setSourceTopic(raw.topic).setPartition(raw.partition).setOffset(raw.offset)
                .setRecordTimestamp(raw.timestamp)
                .setKey(raw.key == null ? null : ByteBuffer.wrap(raw.key))
                .setValue(raw.value == null ? null : ByteBuffer.wrap(raw.value))
                .setReasonCode(code).setReason(reason).setStage("decode")
                .setFailedAt(clock.millis())
                .build());
    }
}

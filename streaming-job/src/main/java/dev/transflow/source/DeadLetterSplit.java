package dev.transflow.source;

import dev.transflow.schemas.DeadLetter;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits what {@link DecodingDeserializer} emits: events go on, dead letters to {@link #DEAD_LETTERS} (with the
 * Kafka record's timestamp), counted in {@code decoded} and {@code deadLetters}. Bad input never fails the job and
 * is never dropped silently.
 */
public final class DeadLetterSplit<T> extends ProcessFunction<Either<DeadLetter, T>, T> {

    private static final long serialVersionUID = 1L;

    /** Side output of records that could not be used. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") { };

    private transient Counter decoded;
    private transient Counter deadLetters;

    @Override
    public void open(OpenContext context) {
        decoded = getRuntimeContext().getMetricGroup().counter("decoded");
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(Either<DeadLetter, T> record, Context ctx, Collector<T> out) {
        if (record.isRight()) {
            decoded.inc();
            out.collect(record.right());
        } else {
            deadLetters.inc();
            ctx.output(DEAD_LETTERS, record.left());
        }
    }
}

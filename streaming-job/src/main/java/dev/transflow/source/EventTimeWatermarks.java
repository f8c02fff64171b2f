package dev.transflow.source;

import dev.transflow.schemas.DeadLetter;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.types.Either;
import org.apache.flink.util.function.SerializableFunction;

import java.time.Duration;

/**
 * Watermarks of decoded records ({@link DecodingDeserializer}), for {@code env.fromSource}. The Kafka source runs
 * one generator per partition and emits the lowest of their watermarks, so one partition ahead of the others (its
 * producer's clock, a record from the future) does not move the watermark, and records that a lagging partition
 * delivers are not late because another partition ran ahead. Events carry their event time. Dead letters keep the
 * Kafka record's timestamp, and neither move the watermark nor keep a partition from going idle: they have no event
 * time to trust.
 */
public final class EventTimeWatermarks {

    private EventTimeWatermarks() {}

    /**
     * @param eventTime the event time of an event, epoch ms
     * @param outOfOrderness how far behind the newest event of its partition an event may be and still be on time
     * @param idleness a partition without events this long no longer holds the watermark back
     */
    public static <T> WatermarkStrategy<Either<DeadLetter, T>> of(SerializableFunction<T, Long> eventTime,
            Duration outOfOrderness, Duration idleness) {
        WatermarkStrategy<T> events = WatermarkStrategy.<T>forBoundedOutOfOrderness(outOfOrderness)
                .withIdleness(idleness);
        return WatermarkStrategy.<Either<DeadLetter, T>>forGenerator(
                        context -> new EventsOnly<>(events.createWatermarkGenerator(context)))
                .withTimestampAssigner((record, kafkaTimestamp) -> record.isRight()
                        ? eventTime.apply(record.right()) : kafkaTimestamp);
    }

    /** Kafka record timestamps and no watermarks, for inputs that no event-time operator reads. */
    public static <T> WatermarkStrategy<Either<DeadLetter, T>> none() {
        return WatermarkStrategy.noWatermarks();
    }

    /** Passes only events to the generator of event watermarks. */
    static final class EventsOnly<T> implements WatermarkGenerator<Either<DeadLetter, T>> {
        private final WatermarkGenerator<T> events;

        EventsOnly(WatermarkGenerator<T> events) {
            this.events = events;
        }

        @Override
        public void onEvent(Either<DeadLetter, T> record, long timestamp, WatermarkOutput output) {
            if (record.isRight()) {
                events.onEvent(record.right(), timestamp, output);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            events.onPeriodicEmit(output);
        }
    }
}

package dev.transflow.source;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.EntityType;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.types.Either;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class EventTimeWatermarksTest {

    private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);
    private static final Duration IDLENESS = Duration.ofSeconds(30);

    /** Not at 0, which the idleness timer reads as "not started". */
    private final ManualClock clock = new ManualClock(Duration.ofHours(1).toNanos());
    private final WatermarkStrategy<Either<DeadLetter, Click>> strategy = EventTimeWatermarks.of(
            Click::getEventTime, OUT_OF_ORDERNESS, IDLENESS);
    private final WatermarkGenerator<Either<DeadLetter, Click>> generator = strategy.createWatermarkGenerator(
            new WatermarkGeneratorSupplier.Context() {
                @Override
                public MetricGroup getMetricGroup() {
                    return new UnregisteredMetricsGroup();
                }

                @Override
                public RelativeClock getInputActivityClock() {
                    return clock;
                }
            });
    private final TimestampAssigner<Either<DeadLetter, Click>> timestamps = strategy.createTimestampAssigner(
            new TimestampAssignerSupplier.Context() {
                @Override
                public MetricGroup getMetricGroup() {
                    return new UnregisteredMetricsGroup();
                }
            });
    private final Output output = new Output();

    /** What a split's generator sees of a record the source read with Kafka timestamp {@code kafkaTimestamp}. */
    private long read(Either<DeadLetter, Click> record, long kafkaTimestamp) {
        long timestamp = timestamps.extractTimestamp(record, kafkaTimestamp);
        generator.onEvent(record, timestamp, output);
        return timestamp;
    }

    private static Either<DeadLetter, Click> click(long time) {
        return Either.Right(new Click("i", "u", "t", EntityType.POST, time));
    }

    private static Either<DeadLetter, Click> deadLetter() {
        return Either.Left(new DeadLetters(0).of(new RawRecord("clicks", 0, 7, 0, null, new byte[] {1}),
                "NOT_SINGLE_OBJECT", "garbage", "decode", 0));
    }

    @Test
    void eventsCarryTheirEventTimeAndDeadLettersTheirKafkaTimestampWithoutMovingTheWatermark() {
        assertThat(read(click(100_000), 1)).isEqualTo(100_000);
        assertThat(read(deadLetter(), 9_000_000_000_000L)).isEqualTo(9_000_000_000_000L);
        generator.onPeriodicEmit(output);

        assertThat(output.watermark).isEqualTo(100_000 - OUT_OF_ORDERNESS.toMillis() - 1);
    }

    @Test
    void aPartitionWithOnlyDeadLettersGoesIdle() {
        read(click(100_000), 1);
        for (long waited = 0; waited <= 2 * IDLENESS.toMillis() && !output.idle; waited += 1_000) {
            read(deadLetter(), 1);
            clock.advanceTime(Duration.ofSeconds(1));
            generator.onPeriodicEmit(output);
        }

        assertThat(output.idle).as("idle soon after %s without events", IDLENESS).isTrue();
    }

    private static final class Output implements WatermarkOutput {
        long watermark = Long.MIN_VALUE;
        boolean idle;

        @Override
        public void emitWatermark(Watermark mark) {
            watermark = mark.getTimestamp();
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }
}

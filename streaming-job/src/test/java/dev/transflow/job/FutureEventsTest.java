package dev.transflow.job;

import dev.transflow.history.HistoryOptions;
import dev.transflow.join.EncodedImpression;
import dev.transflow.join.JoinOptions;
import dev.transflow.join.SampleJoinOperator;
import dev.transflow.join.Samples;
import dev.transflow.schemas.Click;
import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.PostFeatures;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.SharedFeatures;
import dev.transflow.schemas.UserProfile;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.schemas.codec.PendingSampleEncoding;
import dev.transflow.source.DeadLetters;
import dev.transflow.source.EventTimeWatermarks;
import dev.transflow.source.EventValidator;
import dev.transflow.source.RawRecord;
import dev.transflow.source.RecordDecoder;
import dev.transflow.source.SourceOptions;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.apache.flink.util.clock.RelativeClock;
import org.apache.flink.util.clock.SystemClock;
import org.apache.flink.util.function.SerializableFunction;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * What an event from the future does to labels, with the sample job's defaults: decoding and validation at the
 * wall clock, watermarks of one partition per input, the sample join.
 */
class FutureEventsTest {

    private static final long NOW = 1_767_225_600_000L;
    private static final Configuration DEFAULTS = new Configuration();
    private static final long WINDOW = JoinOptions.attributionWindow(DEFAULTS).toMillis();
    private static final long SKEW = SourceOptions.maxFutureSkew(DEFAULTS).toMillis();

    @Test
    void defaultSkewIsASmallPartOfTheWindow() {
        assertThat(SKEW).isEqualTo(30_000).isLessThanOrEqualTo(WINDOW / 10);
    }

    @Test
    void skewNotShorterThanTheWindowIsRefusedAtJobStart() {
        Configuration config = new Configuration();
        config.set(JoinOptions.ATTRIBUTION_WINDOW, Duration.ofSeconds(10));

        assertThatThrownBy(() -> JoinOptions.attributionWindow(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transflow.source.max-future-skew (PT30S) must be shorter than "
                        + "transflow.join.attribution-window")
                .hasMessageContaining("source.max-future-skew=1s");
        config.set(SourceOptions.MAX_FUTURE_SKEW, Duration.ofSeconds(10));
        assertThatThrownBy(() -> JoinOptions.attributionWindow(config)).hasMessageContaining("shorter");
        config.set(SourceOptions.MAX_FUTURE_SKEW, Duration.ofSeconds(1));
        assertThat(JoinOptions.attributionWindow(config)).isEqualTo(Duration.ofSeconds(10));
        config.set(JoinOptions.ATTRIBUTION_WINDOW, Duration.ofMillis(500));
        assertThatThrownBy(() -> JoinOptions.attributionWindow(config))
                .hasMessageContaining("source.max-future-skew=50ms");
        config.set(SourceOptions.MAX_FUTURE_SKEW, Duration.ofSeconds(-1));
        assertThatThrownBy(() -> JoinOptions.attributionWindow(config)).hasMessageContaining(">= 0");
    }

    @Test
    void aFutureEventWithinTheSkewClosesOnlyWindowsEndingWithinTheSkew() throws Exception {
        Input<PostImpression> impressions = new Input<>(PostImpression.class, PostImpression::getEventTime);
        Input<Click> clicks = new Input<>(Click.class, Click::getEventTime);
        try (var join = new KeyedTwoInputStreamOperatorTestHarness<>(new SampleJoinOperator(
                Duration.ofMillis(WINDOW), DEFAULTS.get(JoinOptions.LATE_CLICK_RETENTION),
                DEFAULTS.get(HistoryOptions.LENGTH), DEFAULTS.get(HistoryOptions.TTL)),
                (EncodedImpression i) -> i.userId, Click::getUserId, Types.STRING)) {
            join.open();
            for (var open : Map.of("ends-in-60s", NOW - WINDOW + 60_000, "ends-in-20s", NOW - WINDOW + 20_000,
                    "recent", NOW - 60_000).entrySet()) {
                join.processElement1(encoded(impressions.read(post(open.getKey(), open.getValue())).right()),
                        open.getValue());
            }
            // Worst case: a record at the edge of the skew in a partition of each input.
            join.processElement1(encoded(impressions.read(post("ahead", NOW + SKEW)).right()), NOW + SKEW);
            clicks.read(click("ahead", NOW + SKEW));
            Either<DeadLetter, PostImpression> beyond = impressions.read(post("beyond", NOW + SKEW + 1));
            join.processWatermark1(new org.apache.flink.streaming.api.watermark.Watermark(impressions.watermark()));
            join.processWatermark2(new org.apache.flink.streaming.api.watermark.Watermark(clicks.watermark()));
            for (String id : new String[] {"ends-in-60s", "ends-in-20s", "recent"}) {
                join.processElement2(clicks.read(click(id, NOW)).right(), NOW);
            }

            assertThat(beyond.isLeft()).isTrue();
            assertThat(beyond.left().getReasonCode()).isEqualTo(RecordDecoder.INVALID_FIELD);
            assertThat(beyond.left().getReason()).contains("source.max-future-skew");
            EventCodec<LabeledSample> codec = EventCodec.of(LabeledSample.class);
            assertThat(join.extractOutputValues()).extracting(s -> s.decode(codec)).extracting(
                    LabeledSample::getImpressionId, LabeledSample::getLabel).containsExactlyInAnyOrder(
                    tuple("ends-in-20s", 0), tuple("ends-in-60s", 1), tuple("recent", 1));
            assertThat(join.getSideOutput(SampleJoinOperator.LATE_CLICKS)).extracting(StreamRecord::getValue)
                    .extracting(Click::getImpressionId).containsExactly("ends-in-20s");
        }
    }

    private static PostImpression post(String id, long time) {
        FeatureValues none = new FeatureValues(Map.of(), Map.of());
        return PostImpression.newBuilder().setImpressionId(id).setEventTime(time).setUserId("u-" + id)
                .setItemId("t-" + id).setUser(new UserProfile(2, "f", null, none))
                .setShared(new SharedFeatures("c1", null, none)).setSpecific(new PostFeatures("review", null, 10, none))
                .build();
    }

    private static Click click(String id, long time) {
        return new Click(id, "u-" + id, "t-" + id, EntityType.POST, time);
    }

    private static EncodedImpression encoded(PostImpression post) {
        return EncodedImpression.of(Samples.of(post), new PendingSampleEncoding());
    }

    /** One partition of an input as the sample job reads it: decoded at {@link #NOW}, with its watermarks. */
    private static final class Input<T extends SpecificRecord> implements WatermarkOutput {
        private final EventCodec<T> codec;
        private final RecordDecoder<T> decoder;
        private final TimestampAssigner<Either<DeadLetter, T>> timestamps;
        private final WatermarkGenerator<Either<DeadLetter, T>> generator;
        private long watermark = Long.MIN_VALUE;
        private long offset;

        Input(Class<T> type, SerializableFunction<T, Long> eventTime) {
            codec = EventCodec.of(type);
            decoder = new RecordDecoder<>(type, EventValidator.of(DEFAULTS), SourceOptions.maxRecordSize(DEFAULTS),
                    DeadLetters.of(DEFAULTS), () -> NOW);
            WatermarkStrategy<Either<DeadLetter, T>> strategy = EventTimeWatermarks.of(eventTime,
                    DEFAULTS.get(SourceOptions.OUT_OF_ORDERNESS), DEFAULTS.get(SourceOptions.IDLENESS));
            timestamps = strategy.createTimestampAssigner(UnregisteredMetricsGroup::new);
            generator = strategy.createWatermarkGenerator(new WatermarkGeneratorSupplier.Context() {
                @Override
                public MetricGroup getMetricGroup() {
                    return new UnregisteredMetricsGroup();
                }

                @Override
                public RelativeClock getInputActivityClock() {
                    return SystemClock.getInstance();
                }
            });
        }

        Either<DeadLetter, T> read(T event) {
            Either<DeadLetter, T> decoded = decoder.decode(new RawRecord("topic", 0, offset++, NOW, null,
                    codec.encode(event)));
            generator.onEvent(decoded, timestamps.extractTimestamp(decoded, NOW), this);
            return decoded;
        }

        long watermark() {
            generator.onPeriodicEmit(this);
            return watermark;
        }

        @Override
        public void emitWatermark(Watermark mark) {
            watermark = Math.max(watermark, mark.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    }
}

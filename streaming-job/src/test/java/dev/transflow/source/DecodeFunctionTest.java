package dev.transflow.source;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.PostFeatures;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.ProductFeatures;
import dev.transflow.schemas.ProductImpression;
import dev.transflow.schemas.SharedFeatures;
import dev.transflow.schemas.UserProfile;
import dev.transflow.schemas.codec.EventCodec;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

class DecodeFunctionTest {

    private static final long NOW = 1_767_225_600_000L;
    private static final EventValidator VALIDATOR = new EventValidator(16, 3_600_000L);

    private static PostImpression post(String id, long time, Integer textLength) {
        return PostImpression.newBuilder().setImpressionId(id).setEventTime(time).setUserId("u1").setItemId("t1")
                .setUser(new UserProfile(2, "f", "c1", new FeatureValues(Map.of(), Map.of())))
                .setShared(new SharedFeatures("c4", "cr1", new FeatureValues(Map.of(), Map.of())))
                .setSpecific(new PostFeatures("review", "video", textLength, new FeatureValues(Map.of(), Map.of())))
                .build();
    }

    private static RawRecord raw(long offset, byte[] value) {
        return new RawRecord("posts.impressions", 0, offset, NOW, "u1".getBytes(StandardCharsets.UTF_8), value);
    }

    @Test
    void goodRecordsPassBadOnesBecomeDeadLettersWithTheirReason() throws Exception {
        DecodeFunction<PostImpression> function = new DecodeFunction<>(PostImpression.class, VALIDATOR, () -> NOW);
        byte[] good = EventCodec.of(PostImpression.class).encode(post("i1", NOW - 1000, 120));
        byte[] click = EventCodec.of(Click.class).encode(new Click("i1", "u1", "t1", EntityType.POST, NOW));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 5);
        byte[] future = EventCodec.of(PostImpression.class).encode(post("i2", NOW + 7_200_000L, 120));
        byte[] negative = EventCodec.of(PostImpression.class).encode(post("i3", NOW, -4));
        byte[] longId = EventCodec.of(PostImpression.class).encode(post("x".repeat(17), NOW, 1));

        try (OneInputStreamOperatorTestHarness<RawRecord, PostImpression> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(function)) {
            long offset = 0;
            for (byte[] value : List.of(good, "{}".getBytes(StandardCharsets.UTF_8), click, truncated, future,
                    negative, longId)) {
                harness.processElement(raw(offset++, value), NOW);
            }
            harness.processElement(raw(offset, null), NOW);

            assertThat(harness.extractOutputValues()).extracting(PostImpression::getImpressionId).containsExactly("i1");
            ConcurrentLinkedQueue<StreamRecord<DeadLetter>> dead = harness.getSideOutput(DecodeFunction.DEAD_LETTERS);
            List<DeadLetter> letters = dead.stream().map(StreamRecord::getValue).toList();
            assertThat(letters).extracting(DeadLetter::getReasonCode).containsExactly("NOT_SINGLE_OBJECT",
                    "WRONG_TYPE", "CORRUPT_PAYLOAD", "INVALID_FIELD", "INVALID_FIELD", "INVALID_FIELD",
                    "NOT_SINGLE_OBJECT");
            assertThat(letters).extracting(DeadLetter::getOffset).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
            assertThat(letters.get(3).getReason()).contains("in the future").contains("source.max-future-skew");
            assertThat(letters.get(4).getReason()).contains("textLength is -4");
            assertThat(letters.get(5).getReason()).contains("impressionId has 17 characters");
            assertThat(letters.get(1).getValue().array()).isEqualTo(click);
            assertThat(letters).allSatisfy(l -> {
                assertThat(l.getSourceTopic()).isEqualTo("posts.impressions");
                assertThat(l.getStage()).isEqualTo("decode");
            });
        }
    }

    @Test
    void productAndClickChecks() throws Exception {
        ProductImpression nanPrice = ProductImpression.newBuilder().setImpressionId("p").setEventTime(NOW)
                .setUserId("u").setItemId("i")
                .setUser(new UserProfile(null, null, null, new FeatureValues(Map.of(), Map.of("score", Double.NaN))))
                .setShared(new SharedFeatures(null, null, new FeatureValues(Map.of(), Map.of())))
                .setSpecific(new ProductFeatures(1.0, null, null, new FeatureValues(Map.of(), Map.of())))
                .build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VALIDATOR.validate(nanPrice, NOW))
                .hasMessageContaining("user.extra.score is NaN");
        nanPrice.getUser().setExtra(new FeatureValues(Map.of(), Map.of()));
        nanPrice.getSpecific().setPrice(Double.POSITIVE_INFINITY);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VALIDATOR.validate(nanPrice, NOW))
                .hasMessageContaining("specific.price is Infinity");
        nanPrice.getSpecific().setPrice(3.5);
        VALIDATOR.validate(nanPrice, NOW);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VALIDATOR.validate(
                new Click("i", "", "t", EntityType.POST, NOW), NOW)).hasMessageContaining("userId is empty");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VALIDATOR.validate(
                new Click("i", "u", "t", EntityType.POST, 0L), NOW)).hasMessageContaining("not a positive");
    }
}

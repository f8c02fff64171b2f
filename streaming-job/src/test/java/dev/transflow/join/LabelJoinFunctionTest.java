package dev.transflow.join;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.PostFeatures;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.SharedFeatures;
import dev.transflow.schemas.UserProfile;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LabelJoinFunctionTest {

    private static final long WINDOW = Duration.ofMinutes(5).toMillis();
    private static final long RETENTION = Duration.ofMinutes(10).toMillis();

    private KeyedTwoInputStreamOperatorTestHarness<String, LabeledSample, Click, LabeledSample> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                new LabelJoinFunction(Duration.ofMillis(WINDOW), Duration.ofMillis(RETENTION)),
                LabeledSample::getImpressionId, Click::getImpressionId, Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static LabeledSample impression(String id, long time) {
        FeatureValues none = new FeatureValues(Map.of(), Map.of());
        return Samples.of(PostImpression.newBuilder().setImpressionId(id).setEventTime(time).setUserId("u1")
                .setItemId("t" + id).setPosition(3)
                .setUser(new UserProfile(2, "f", null, none)).setShared(new SharedFeatures("c1", null, none))
                .setSpecific(new PostFeatures("review", null, 140, none)).build());
    }

    private void impressionAt(String id, long time) throws Exception {
        harness.processElement1(impression(id, time), time);
    }

    private void clickAt(String id, long time) throws Exception {
        harness.processElement2(new Click(id, "u1", "t" + id, EntityType.POST, time), time);
    }

    private List<LabeledSample> labels() {
        return harness.extractOutputValues();
    }

    private List<Click> late() {
        var queue = harness.getSideOutput(LabelJoinFunction.LATE_CLICKS);
        return queue == null ? List.of() : queue.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void clickInsideTheWindowIsAPositiveAtOnce() throws Exception {
        impressionAt("a", 1_000);
        clickAt("a", 4_000);

        assertThat(labels()).singleElement().satisfies(s -> {
            assertThat(s.getLabel()).isEqualTo(1);
            assertThat(s.getLabelTime()).isEqualTo(4_000);
            assertThat(s.getImpressionTime()).isEqualTo(1_000);
            assertThat(s.getShared().getCategorical()).containsEntry("category", "c1").containsEntry("position", "3");
            assertThat(s.getSpecific().getNumeric()).containsEntry("text_length", 140.0);
            assertThat(s.getUser().getCategorical()).containsEntry("age_bucket", "2");
        });

        harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(1_000 + WINDOW));
        clickAt("a", 5_000);
        assertThat(labels()).as("exactly one label").hasSize(1);
        assertThat(late()).extracting(Click::getEventTime).containsExactly(5_000L);
    }

    @Test
    void windowWithoutClickIsANegativeAtItsEnd() throws Exception {
        impressionAt("b", 1_000);
        harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(1_000 + WINDOW - 1));
        assertThat(labels()).isEmpty();

        harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(1_000 + WINDOW));

        assertThat(labels()).singleElement().satisfies(s -> {
            assertThat(s.getLabel()).isZero();
            assertThat(s.getLabelTime()).isEqualTo(1_000 + WINDOW);
        });
        clickAt("b", 1_000 + WINDOW + 30_000);
        assertThat(labels()).hasSize(1);
        assertThat(late()).hasSize(1);
    }

    @Test
    void clickBeforeItsImpressionWaitsForIt() throws Exception {
        clickAt("c", 2_000);
        impressionAt("c", 1_500);

        assertThat(labels()).singleElement().satisfies(s -> assertThat(s.getLabel()).isEqualTo(1));
        harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(1_500 + WINDOW));
        assertThat(labels()).hasSize(1);
    }

    @Test
    void clickWithoutImpressionIsUnmatchedAfterTheRetention() throws Exception {
        clickAt("d", 1_000);
        harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(1_000 + RETENTION));

        assertThat(labels()).isEmpty();
        assertThat(late()).extracting(Click::getImpressionId).containsExactly("d");
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void stateIsClearedAfterTheRetentionAndDuplicatesAreSetAside() throws Exception {
        impressionAt("e", 1_000);
        impressionAt("e", 1_200);
        clickAt("e", 2_000);
        clickAt("e", 3_000);
        assertThat(harness.getSideOutput(LabelJoinFunction.DUPLICATE_IMPRESSIONS)).hasSize(1);
        assertThat(labels()).hasSize(1);
        assertThat(late()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isPositive();

        harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(
                1_000 + WINDOW + RETENTION));

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(labels()).hasSize(1);
    }
}

package dev.transflow.join;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.ClickedItem;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.codec.EventCodec;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.transflow.join.JoinEvents.click;
import static dev.transflow.join.JoinEvents.impression;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class SampleJoinOperatorTest {

    private static final long WINDOW = Duration.ofMinutes(5).toMillis();
    private static final long RETENTION = Duration.ofMinutes(10).toMillis();

    KeyedTwoInputStreamOperatorTestHarness<String, EncodedImpression, Click, EncodedSample> harness;

    @BeforeEach
    void open() throws Exception {
        harness = newHarness();
        harness.open();
    }

    KeyedTwoInputStreamOperatorTestHarness<String, EncodedImpression, Click, EncodedSample> newHarness()
            throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(
                new SampleJoinOperator(Duration.ofMillis(WINDOW), Duration.ofMillis(RETENTION), 2,
                        Duration.ofDays(1)),
                (EncodedImpression i) -> i.userId, Click::getUserId, Types.STRING);
        h.setStateBackend(stateBackend());
        return h;
    }

    /** Heap state, the harness's default; {@link SampleJoinOperatorRocksDbTest} runs the same tests on RocksDB. */
    StateBackend stateBackend() {
        return new HashMapStateBackend();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    void impressionAt(String id, long time) throws Exception {
        harness.processElement1(impression("u1", id, "c1", time), time);
    }

    private void clickAt(String id, long time) throws Exception {
        harness.processElement2(click("u1", id, time), time);
    }

    /** State entries of all keys; only the heap backend counts them. */
    private void assertStateEntries(int expected, String why) {
        if (stateBackend() instanceof HashMapStateBackend) {
            assertThat(harness.numKeyedStateEntries()).as(why).isEqualTo(expected);
        }
    }

    void watermark(long time) throws Exception {
        harness.processBothWatermarks(new Watermark(time));
    }

    List<LabeledSample> labels() {
        EventCodec<LabeledSample> codec = EventCodec.of(LabeledSample.class);
        return harness.extractOutputValues().stream().map(e -> {
            LabeledSample s = e.decode(codec);
            assertThat(e.userId).isEqualTo(s.getUserId());
            assertThat(e.domain).isEqualTo(s.getDomain());
            return s;
        }).toList();
    }

    private List<Click> late() {
        var queue = harness.getSideOutput(SampleJoinOperator.LATE_CLICKS);
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

        watermark(1_000 + WINDOW);
        clickAt("a", 5_000);
        assertThat(labels()).as("exactly one label").hasSize(1);
        assertThat(late()).extracting(Click::getEventTime).containsExactly(5_000L);
    }

    @Test
    void windowWithoutClickIsANegativeAtItsEnd() throws Exception {
        impressionAt("b", 1_000);
        watermark(1_000 + WINDOW - 1);
        assertThat(labels()).isEmpty();

        watermark(1_000 + WINDOW);

        assertThat(labels()).singleElement().satisfies(s -> {
            assertThat(s.getLabel()).isZero();
            assertThat(s.getLabelTime()).isEqualTo(1_000 + WINDOW);
        });
        clickAt("b", 1_000 + WINDOW + 30_000);
        assertThat(labels()).hasSize(1);
        assertThat(late()).hasSize(1);
    }

    @Test
    void clickBeforeItsImpressionWaitsForItAndGetsItsCategory() throws Exception {
        clickAt("c", 2_000);
        impressionAt("c", 1_500);

        assertThat(labels()).singleElement().satisfies(s -> assertThat(s.getLabel()).isEqualTo(1));
        watermark(1_500 + WINDOW);
        assertThat(labels()).hasSize(1);

        harness.processElement1(impression("u1", "next", "c9", 3_000), 3_000);
        watermark(3_000 + WINDOW);
        assertThat(labels().get(1).getClickedPosts()).singleElement().satisfies(item -> {
            assertThat(item.getItemId()).isEqualTo("tc");
            assertThat(item.getCategory()).as("completed when the impression came").isEqualTo("c1");
        });
    }

    @Test
    void aSecondClickBeforeTheImpressionIsLateAndAlsoGetsTheCategory() throws Exception {
        clickAt("c", 2_000);
        clickAt("c", 2_500);
        assertThat(late()).as("one impression, one label: the second click is a duplicate")
                .extracting(Click::getEventTime).containsExactly(2_500L);
        impressionAt("c", 1_500);
        assertThat(labels()).singleElement().satisfies(s -> assertThat(s.getLabel()).isEqualTo(1));

        harness.processElement1(impression("u1", "next", "c9", 3_000), 3_000);
        watermark(3_000 + WINDOW);
        assertThat(labels().get(1).getClickedPosts()).hasSize(2).allSatisfy(item -> {
            assertThat(item.getItemId()).isEqualTo("tc");
            assertThat(item.getCategory()).isEqualTo("c1");
        });
    }

    @Test
    void clickWithoutImpressionIsUnmatchedAfterTheRetention() throws Exception {
        int historyEntries = 1;
        clickAt("d", 1_000);
        assertStateEntries(historyEntries + 1, "history and the waiting click");

        watermark(1_000 + RETENTION);

        assertThat(labels()).isEmpty();
        assertThat(late()).extracting(Click::getImpressionId).containsExactly("d");
        assertStateEntries(historyEntries, "only the history stays");
    }

    @Test
    void labeledImpressionIsRememberedForTheRetentionAndDuplicatesAreSetAside() throws Exception {
        harness.setStateTtlProcessingTime(0);
        impressionAt("e", 1_000);
        impressionAt("e", 1_200);
        clickAt("e", 2_000);
        clickAt("e", 3_000);
        assertThat(harness.getSideOutput(SampleJoinOperator.DUPLICATE_IMPRESSIONS)).singleElement()
                .extracting(StreamRecord::getValue).satisfies(d -> {
                    assertThat(d.getReasonCode()).isEqualTo(SampleJoinOperator.DUPLICATE_IMPRESSION);
                    assertThat(d.getSourceTopic()).isEqualTo("posts.impressions");
                    assertThat(d.getStage()).isEqualTo("join");
                    assertThat(d.getReason()).contains("e", "u1", "1200", "1000");
                });
        assertThat(labels()).hasSize(1);
        assertThat(late()).hasSize(1);

        harness.setStateTtlProcessingTime(RETENTION - 1);
        impressionAt("e", 1_300);
        assertThat(harness.getSideOutput(SampleJoinOperator.DUPLICATE_IMPRESSIONS)).as("still known").hasSize(2);
        clickAt("e", 4_000);
        assertThat(late()).as("still recognised as late").hasSize(2);

        harness.setStateTtlProcessingTime(RETENTION);
        clickAt("e", 5_000);
        assertThat(late()).as("forgotten: the click waits for an impression").hasSize(2);
        watermark(5_000 + RETENTION - 1);
        assertThat(late()).hasSize(2);
        watermark(5_000 + RETENTION);
        assertThat(late()).as("unmatched after waiting").hasSize(3);
        assertThat(labels()).hasSize(1);
    }

    @Test
    void windowsEndingInTheSameSecondShareOneTimer() throws Exception {
        harness.processElement1(impression("u1", "k1", "c1", 1_001), 1_001);
        harness.processElement1(impression("u2", "k2", "c1", 1_500), 1_500);
        harness.processElement1(impression("u3", "k3", "c1", 2_000), 2_000);
        harness.processElement1(impression("u4", "k4", "c1", 2_001), 2_001);
        harness.processElement2(new Click("k2", "u2", "tk2", EntityType.POST, 1_600L), 1_600);
        assertThat(harness.numEventTimeTimers()).as("seconds ending at 2000 and 3000").isEqualTo(2);

        watermark(1_001 + WINDOW);
        assertThat(labels()).extracting(LabeledSample::getImpressionId).containsExactly("k2");
        watermark(2_000 + WINDOW - 1);
        assertThat(labels()).hasSize(1);
        watermark(2_000 + WINDOW);
        assertThat(labels()).extracting(LabeledSample::getImpressionId, LabeledSample::getLabel,
                LabeledSample::getLabelTime).containsExactly(tuple("k2", 1, 1_600L), tuple("k1", 0, 1_001 + WINDOW),
                tuple("k3", 0, 2_000 + WINDOW));
        assertThat(labels().get(1).getUserId()).isEqualTo("u1");
        watermark(3_000 + WINDOW);
        assertThat(labels()).hasSize(4);
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void impressionInATickWhoseTimerAlreadyFiredIsStillLabeled() throws Exception {
        // Both windows end in the second up to 1_000 + WINDOW; the second impression comes after its timer fired.
        impressionAt("on-time", 500);
        watermark(1_000 + WINDOW);
        assertThat(labels()).extracting(LabeledSample::getImpressionId).containsExactly("on-time");

        impressionAt("late", 900);
        assertThat(labels()).as("labeled at the next watermark, not at once").hasSize(1);
        watermark(1_001 + WINDOW);

        assertThat(labels()).extracting(LabeledSample::getImpressionId, LabeledSample::getLabel,
                LabeledSample::getLabelTime).containsExactly(tuple("on-time", 0, 500 + WINDOW),
                tuple("late", 0, 900 + WINDOW));
        assertStateEntries(1, "the user's tombstones; nothing pending, no list left");
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void lateImpressionStillMeetsAClickThatComesBeforeTheNextWatermark() throws Exception {
        impressionAt("on-time", 500);
        watermark(1_000 + WINDOW);
        impressionAt("late", 900);
        clickAt("late", 900 + WINDOW);
        watermark(2_000 + WINDOW);

        assertThat(labels()).extracting(LabeledSample::getImpressionId, LabeledSample::getLabel)
                .containsExactly(tuple("on-time", 0), tuple("late", 1));
        assertThat(late()).isEmpty();
    }

    @Test
    void tickKeysBelongToTheirKeyGroups() {
        KeyGroupRange range = KeyGroupRange.of(40, 79);
        String[] keys = LabelDeadlines.tickKeys(128, range);
        assertThat(keys).hasSize(40).doesNotHaveDuplicates();
        for (int g = 40; g <= 79; g++) {
            assertThat(KeyGroupRangeAssignment.assignToKeyGroup(keys[g - 40], 128)).isEqualTo(g);
        }
        assertThat(LabelDeadlines.tickKeys(128, KeyGroupRange.of(60, 60))[0]).as("independent of the range")
                .isEqualTo(keys[20]);
    }

    @Test
    void clickAfterTheWindowButBeforeTheWatermarkIsLateAndTheLabelNegative() throws Exception {
        impressionAt("h", 1_000);
        clickAt("h", 1_000 + WINDOW + 1);
        watermark(1_000 + WINDOW);

        assertThat(labels()).singleElement().satisfies(s -> assertThat(s.getLabel()).isZero());
        assertThat(late()).hasSize(1);
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void impressionsSeeOnlyEarlierClicksNewestFirstPerEntityType() throws Exception {
        harness.processElement1(impression("u1", "i1", "c7", 5), 5);
        harness.processElement2(new Click("p1@10", "u1", "p1", EntityType.PRODUCT, 10L), 10);
        harness.processElement2(new Click("i1", "u1", "ti1", EntityType.POST, 20L), 20);
        harness.processElement2(new Click("p2@30", "u1", "p2", EntityType.PRODUCT, 30L), 30);
        harness.processElement2(new Click("p3@40", "u1", "p3", EntityType.PRODUCT, 40L), 40);
        // Processed before a later-timed impression, and after: only event time decides.
        harness.processElement2(new Click("p9@100", "u1", "p9", EntityType.PRODUCT, 100L), 100);
        harness.processElement1(impression("u1", "i2", "c8", 35), 35);
        harness.processElement1(impression("u2", "i3", "c8", 50), 50);
        watermark(Long.MAX_VALUE);

        Map<String, LabeledSample> out = new java.util.HashMap<>();
        labels().forEach(s -> out.put(s.getImpressionId(), s));
        assertThat(out).containsOnlyKeys("i1", "i2", "i3");
        assertThat(out.get("i1").getClickedProducts()).isEmpty();
        assertThat(out.get("i1").getLabel()).isEqualTo(1);
        LabeledSample second = out.get("i2");
        assertThat(second.getClickedProducts()).extracting(ClickedItem::getItemId).containsExactly("p2", "p1");
        assertThat(second.getClickedPosts()).singleElement().satisfies(i -> {
            assertThat(i.getItemId()).isEqualTo("ti1");
            assertThat(i.getCategory()).as("category of the impression it came from").isEqualTo("c7");
            assertThat(i.getClickTime()).isEqualTo(20);
        });
        assertThat(out.get("i3").getClickedProducts()).as("another user").isEmpty();
    }

    @Test
    void openImpressionsAndHistorySurviveARestore() throws Exception {
        clickAt("x", 500);
        impressionAt("f", 1_000);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1_100);
        harness.close();

        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        clickAt("f", 2_000);
        impressionAt("g", 3_000);
        watermark(3_000 + WINDOW);

        List<LabeledSample> out = labels();
        assertThat(out).extracting(LabeledSample::getImpressionId).containsExactly("f", "g");
        assertThat(out.get(0).getLabel()).isEqualTo(1);
        assertThat(out.get(1).getLabel()).isZero();
        assertThat(out.get(1).getClickedPosts()).extracting(ClickedItem::getItemId).containsExactly("tf", "tx");
    }
}

package dev.transflow.join;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The label deadlines on their own: one list and one timer per key group and second, drained by the watermark. */
class LabelDeadlinesTest {

    /**
     * Lists every (user, impression id, deadline) it gets, keyed by user, and emits what each tick's timer drains
     * as {@code "<tick> <user>/<id>"}, and {@code "late <id>"} for an impression listed behind the watermark.
     */
    private static final class Lister extends AbstractStreamOperator<String>
            implements OneInputStreamOperator<Tuple3<String, String, Long>, String>,
            Triggerable<String, VoidNamespace> {

        private final String timers;
        private transient LabelDeadlines deadlines;

        /** @param timers the name of the timer service, so a restore can leave the old timers behind */
        Lister(String timers) {
            this.timers = timers;
        }

        @Override
        public void open() throws Exception {
            super.open();
            deadlines = LabelDeadlines.of(this::setCurrentKey,
                    getOrCreateKeyedState(LongSerializer.INSTANCE, LabelDeadlines.descriptor()),
                    getInternalTimerService(timers, VoidNamespaceSerializer.INSTANCE, this),
                    getRuntimeContext().getTaskInfo());
            deadlines.registerListed(getKeyedStateBackend());
        }

        @Override
        public void processElement(StreamRecord<Tuple3<String, String, Long>> element) throws Exception {
            Tuple3<String, String, Long> impression = element.getValue();
            if (deadlines.add(impression.f0, impression.f1, impression.f2)) {
                output.collect(new StreamRecord<>("late " + impression.f1));
            }
            assertThat((Object) getCurrentKey()).as("the user is current again").isEqualTo(impression.f0);
        }

        @Override
        public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
            for (Tuple2<String, String> listed : deadlines.drain(timer.getTimestamp())) {
                output.collect(new StreamRecord<>(timer.getTimestamp() + " " + listed.f0 + "/" + listed.f1));
            }
        }

        @Override
        public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {
            throw new IllegalStateException("no processing-time timers");
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Tuple3<String, String, Long>, String> harness(
            String timers, int maxParallelism) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new Lister(timers), t -> t.f0, Types.STRING,
                maxParallelism, 1, 0);
    }

    private static void list(KeyedOneInputStreamOperatorTestHarness<String, Tuple3<String, String, Long>, String> h,
            String user, String id, long deadline) throws Exception {
        h.processElement(Tuple3.of(user, id, deadline), deadline);
    }

    /** What the harness emitted since the last call. */
    private static List<String> drained(
            KeyedOneInputStreamOperatorTestHarness<String, Tuple3<String, String, Long>, String> h) {
        List<String> out = new ArrayList<>(h.extractOutputValues());
        h.getOutput().clear();
        return out;
    }

    @Test
    void deadlinesInTheSameSecondShareOneTimerAndTheWatermarkDrainsThemOnce() throws Exception {
        try (var h = harness("label-ticks", 1)) {
            h.open();
            list(h, "u1", "i1", 1_200);
            list(h, "u2", "i2", 1_900);
            list(h, "u1", "i3", 2_000);
            assertThat(h.numEventTimeTimers()).as("all three end in the second up to 2000").isEqualTo(1);
            list(h, "u1", "i4", 2_001);
            assertThat(h.numEventTimeTimers()).isEqualTo(2);

            h.processWatermark(new Watermark(1_999));
            assertThat(drained(h)).isEmpty();

            h.processWatermark(new Watermark(2_000));
            assertThat(drained(h)).containsExactly("2000 u1/i1", "2000 u2/i2", "2000 u1/i3");
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            h.processWatermark(new Watermark(5_000));
            assertThat(drained(h)).containsExactly("3000 u1/i4");
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).as("drained lists are removed").isZero();
        }
    }

    @Test
    void everyKeyGroupHasItsOwnListAndTimer() throws Exception {
        int maxParallelism = 8;
        List<String> users = new ArrayList<>();
        Set<Integer> groups = new TreeSet<>();
        for (int n = 0; groups.size() < 3; n++) {
            String user = "user-" + n;
            if (groups.add(KeyGroupRangeAssignment.assignToKeyGroup(user, maxParallelism))) {
                users.add(user);
            }
        }
        try (var h = harness("label-ticks", maxParallelism)) {
            h.open();
            for (String user : users) {
                list(h, user, "i-" + user, 1_500);
                list(h, user, "j-" + user, 1_600);
            }
            assertThat(h.numEventTimeTimers()).isEqualTo(3);

            h.processWatermark(new Watermark(2_000));
            List<String> expected = new ArrayList<>();
            for (String user : users) {
                expected.add("2000 " + user + "/i-" + user);
                expected.add("2000 " + user + "/j-" + user);
            }
            assertThat(drained(h)).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void anImpressionListedBehindTheWatermarkIsLateAndDrainedAtTheNextWatermark() throws Exception {
        try (var h = harness("label-ticks", 1)) {
            h.open();
            list(h, "u1", "i1", 1_500);
            h.processWatermark(new Watermark(2_000));
            assertThat(drained(h)).containsExactly("2000 u1/i1");

            // Its tick's timer fired already: the impression gets a new one.
            list(h, "u1", "i2", 1_800);
            assertThat(drained(h)).containsExactly("late i2");
            h.processWatermark(new Watermark(2_001));
            assertThat(drained(h)).containsExactly("2000 u1/i2");
        }
    }

    @Test
    void listsACheckpointHoldsWithoutTheirTimersAreDrainedAfterARestore() throws Exception {
        OperatorSubtaskState checkpoint;
        try (var h = harness("timers-of-an-older-version", 1)) {
            h.open();
            list(h, "u1", "i1", 1_500);
            list(h, "u2", "i2", 2_500);
            checkpoint = h.snapshot(1, 1);
        }
        // The restored operator asks for another timer service: only its lists come back, none of their timers.
        try (var h = harness("label-ticks", 1)) {
            h.initializeState(checkpoint);
            h.open();
            assertThat(h.numEventTimeTimers()).as("one timer per listed tick, registered at the start")
                    .isEqualTo(2);

            h.processWatermark(new Watermark(3_000));
            assertThat(drained(h)).containsExactly("2000 u1/i1", "3000 u2/i2");
        }
    }

    @Test
    void aTickIsTheNextWholeSecond() {
        assertThat(LabelDeadlines.tickOf(1_000)).isEqualTo(1_000);
        assertThat(LabelDeadlines.tickOf(1_001)).isEqualTo(2_000);
        assertThat(LabelDeadlines.tickOf(0)).isEqualTo(0);
        assertThat(LabelDeadlines.tickOf(-1)).isEqualTo(0);
        assertThat(LabelDeadlines.tickOf(-1_001)).isEqualTo(-1_000);
    }
}

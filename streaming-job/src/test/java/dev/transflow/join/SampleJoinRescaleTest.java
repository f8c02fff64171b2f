package dev.transflow.join;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.ClickedItem;
import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.codec.EventCodec;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The sample join's keyed state and timers across rescaling 1 → 2 → 1, on each state backend and timer store the
 * jobs can run with: every impression gets exactly one label, wherever its user's key group went; clicks on labeled
 * impressions are late, clicks without impression unmatched, and reused ids duplicates, after either move.
 *
 * <p>Per user, impressions and clicks are chosen so that every kind of state crosses a move: a label known before
 * the first move (a), an open impression clicked after it (b), one open across both moves and labeled negative at
 * the end (c), a click waiting for its impression across the first move (d), one labeled negative between the moves
 * and clicked after the second (e), a click that never meets its impression (x), and an impression after the
 * second move that sees the history written before both (f).
 */
class SampleJoinRescaleTest {

    private static final int MAX_PARALLELISM = 128;
    private static final int USERS = 40;
    private static final long WINDOW = Duration.ofMinutes(5).toMillis();
    private static final long RETENTION = Duration.ofMinutes(10).toMillis();
    private static final EventCodec<LabeledSample> CODEC = EventCodec.of(LabeledSample.class);

    /** The backends and timer stores to run on; the jobs' default is RocksDB with heap timers. */
    enum Backend {
        HEAP, ROCKSDB_HEAP_TIMERS, ROCKSDB_TIMERS;

        StateBackend create() {
            if (this == HEAP) {
                return new HashMapStateBackend();
            }
            EmbeddedRocksDBStateBackend rocks = new EmbeddedRocksDBStateBackend();
            rocks.setPriorityQueueStateType(this == ROCKSDB_HEAP_TIMERS
                    ? EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP
                    : EmbeddedRocksDBStateBackend.PriorityQueueStateType.ROCKSDB);
            return rocks;
        }
    }

    private final List<Stage> open = new ArrayList<>();

    /** Label and label time of each impression id, over all subtasks and stages. */
    private final Map<String, Tuple2<Integer, Long>> ledger = new HashMap<>();
    private final List<String> lateClicks = new ArrayList<>();
    private final List<String> duplicates = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (Stage stage : open) {
            stage.close();
        }
    }

    private static String user(int u) {
        return "user" + u;
    }

    private static String id(int u, char kind) {
        return "u" + u + "-" + kind;
    }

    /** The sample join at one parallelism: a harness per subtask, each element sent where its user's key group is. */
    private final class Stage implements AutoCloseable {
        final int parallelism;
        final List<KeyedTwoInputStreamOperatorTestHarness<String, EncodedImpression, Click, EncodedSample>> subtasks =
                new ArrayList<>();
        boolean closed;

        /**
         * @param restore the snapshots of the previous stage's subtasks, or none for a fresh start
         */
        Stage(Backend backend, int parallelism, List<OperatorSubtaskState> restore) throws Exception {
            this.parallelism = parallelism;
            open.add(this);
            OperatorSubtaskState packed = restore.isEmpty() ? null
                    : AbstractStreamOperatorTestHarness.repackageState(restore.toArray(new OperatorSubtaskState[0]));
            for (int subtask = 0; subtask < parallelism; subtask++) {
                var h = new KeyedTwoInputStreamOperatorTestHarness<>(
                        new SampleJoinOperator(Duration.ofMillis(WINDOW), Duration.ofMillis(RETENTION), 2,
                                Duration.ofDays(1)),
                        (EncodedImpression i) -> i.userId, Click::getUserId, Types.STRING, MAX_PARALLELISM,
                        parallelism, subtask);
                h.setStateBackend(backend.create());
                if (packed != null) {
                    h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(packed,
                            MAX_PARALLELISM, restore.size(), parallelism, subtask));
                }
                h.open();
                subtasks.add(h);
            }
        }

        KeyedTwoInputStreamOperatorTestHarness<String, EncodedImpression, Click, EncodedSample> of(String user) {
            return subtasks.get(KeyGroupRangeAssignment.assignKeyToParallelOperator(user, MAX_PARALLELISM,
                    parallelism));
        }

        void impression(int u, char kind, long time) throws Exception {
            of(user(u)).processElement1(JoinEvents.impression(user(u), id(u, kind), "c" + kind, time), time);
        }

        void click(int u, char kind, long time) throws Exception {
            of(user(u)).processElement2(JoinEvents.click(user(u), id(u, kind), time), time);
        }

        void watermark(long time) throws Exception {
            for (var h : subtasks) {
                h.processBothWatermarks(new Watermark(time));
            }
        }

        int eventTimeTimers() {
            return subtasks.stream().mapToInt(AbstractStreamOperatorTestHarness::numEventTimeTimers).sum();
        }

        /** Keyed state entries of all subtasks; only the heap backend counts them. */
        int stateEntries() {
            return subtasks.stream().mapToInt(KeyedTwoInputStreamOperatorTestHarness::numKeyedStateEntries).sum();
        }

        /** The samples this stage emitted, checked to come from the subtask that owns their user. */
        List<LabeledSample> samples() {
            List<LabeledSample> out = new ArrayList<>();
            for (int subtask = 0; subtask < parallelism; subtask++) {
                KeyGroupRange range = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(MAX_PARALLELISM,
                        parallelism, subtask);
                for (EncodedSample e : subtasks.get(subtask).extractOutputValues()) {
                    LabeledSample s = e.decode(CODEC);
                    assertThat(e.userId).isEqualTo(s.getUserId());
                    assertThat(range.contains(KeyGroupRangeAssignment.assignToKeyGroup(s.getUserId(),
                            MAX_PARALLELISM))).as("%s labeled where its user's state is", s.getImpressionId())
                            .isTrue();
                    out.add(s);
                }
            }
            return out;
        }

        /** Books this stage's labels, late and unmatched clicks and duplicates; an id labeled twice fails. */
        List<LabeledSample> book() {
            List<LabeledSample> samples = samples();
            for (LabeledSample s : samples) {
                assertThat(ledger.put(s.getImpressionId(), Tuple2.of(s.getLabel(), s.getLabelTime())))
                        .as("%s labeled once", s.getImpressionId()).isNull();
            }
            for (var h : subtasks) {
                var late = h.getSideOutput(SampleJoinOperator.LATE_CLICKS);
                if (late != null) {
                    late.forEach(r -> lateClicks.add(r.getValue().getImpressionId()));
                }
                var dup = h.getSideOutput(SampleJoinOperator.DUPLICATE_IMPRESSIONS);
                if (dup != null) {
                    dup.stream().map(StreamRecord::getValue).map(DeadLetter::getReason)
                            .forEach(reason -> duplicates.add(reason.split(" ")[2]));
                }
            }
            return samples;
        }

        /** Snapshots every subtask and closes the stage. */
        List<OperatorSubtaskState> snapshot(long checkpoint) throws Exception {
            List<OperatorSubtaskState> out = new ArrayList<>();
            for (var h : subtasks) {
                out.add(h.snapshot(checkpoint, checkpoint * 1_000));
            }
            close();
            return out;
        }

        @Override
        public void close() throws Exception {
            if (!closed) {
                closed = true;
                for (var h : subtasks) {
                    h.close();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void everyImpressionIsLabeledOnceAcrossRescalingOneTwoOne(Backend backend) throws Exception {
        // Parallelism 1: a labeled, b c e open, d's click waits for its impression, x's for one that never comes.
        Stage one = new Stage(backend, 1, List.of());
        for (int u = 0; u < USERS; u++) {
            one.impression(u, 'a', 1_000 + u);
            one.impression(u, 'b', 1_000 + u);
            one.impression(u, 'c', 100_000 + u);
            one.impression(u, 'e', 1_000 + u);
            one.click(u, 'a', 2_000 + u);
            one.click(u, 'd', 50_000 + u);
            one.click(u, 'x', 10_000 + u);
        }
        one.watermark(1_500);
        assertThat(one.book()).hasSize(USERS);
        List<Tuple2<String, Long>> openAfterOne = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            openAfterOne.add(Tuple2.of(user(u), 1_000 + u + WINDOW)); // b and e
            openAfterOne.add(Tuple2.of(user(u), 100_000 + u + WINDOW)); // c
        }
        int timersAfterOne = expectedTimersOf(openAfterOne, 2 * USERS);
        assertThat(one.eventTimeTimers()).isEqualTo(timersAfterOne);
        if (backend == Backend.HEAP) {
            // Per user: history, tombstones, pending.
            assertThat(one.stateEntries()).isEqualTo(3 * USERS + listsOf(openAfterOne));
        }

        // Parallelism 2: b clicked, d's impression meets its click, a clicked again (late), c sent again, e negative.
        Stage two = new Stage(backend, 2, one.snapshot(1));
        assertThat(two.eventTimeTimers()).as("every timer moved with its key group").isEqualTo(timersAfterOne);
        for (int u = 0; u < USERS; u++) {
            two.click(u, 'b', 3_000 + u);
            two.impression(u, 'd', 49_000 + u);
            two.click(u, 'a', 4_000 + u);
            two.impression(u, 'c', 100_500 + u);
        }
        two.watermark(302_000);
        List<LabeledSample> second = two.book();
        assertThat(second).hasSize(3 * USERS);
        Set<Integer> busy = new HashSet<>();
        second.forEach(s -> busy.add(KeyGroupRangeAssignment.assignKeyToParallelOperator(s.getUserId(),
                MAX_PARALLELISM, 2)));
        assertThat(busy).as("both subtasks labeled").containsExactlyInAnyOrder(0, 1);
        List<Tuple2<String, Long>> openAfterTwo = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            openAfterTwo.add(Tuple2.of(user(u), 100_000 + u + WINDOW)); // c
        }
        int timersAfterTwo = expectedTimersOf(openAfterTwo, USERS);
        assertThat(two.eventTimeTimers()).isEqualTo(timersAfterTwo);

        // Parallelism 1 again: e clicked after its label, a sent again, f sees the history of both earlier stages.
        Stage three = new Stage(backend, 1, two.snapshot(2));
        assertThat(three.eventTimeTimers()).as("timers of both subtasks merged").isEqualTo(timersAfterTwo);
        for (int u = 0; u < USERS; u++) {
            three.click(u, 'e', 310_000 + u);
            three.impression(u, 'a', 1_000 + u);
            three.impression(u, 'f', 200_000 + u);
        }
        three.watermark(1_000_000);
        List<LabeledSample> third = three.book();
        assertThat(third).hasSize(2 * USERS);
        assertThat(three.eventTimeTimers()).as("nothing left to fire").isZero();
        if (backend == Backend.HEAP) {
            assertThat(three.stateEntries()).as("per user history and tombstones; nothing pending, no list left")
                    .isEqualTo(2 * USERS);
        }

        // The ledger: one label per impression, each of the kind and at the time its clicks decide.
        Map<String, Tuple2<Integer, Long>> expected = new HashMap<>();
        List<String> expectedLate = new ArrayList<>();
        List<String> expectedDuplicates = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            expected.put(id(u, 'a'), Tuple2.of(1, 2_000L + u));
            expected.put(id(u, 'b'), Tuple2.of(1, 3_000L + u));
            expected.put(id(u, 'c'), Tuple2.of(0, 100_000L + u + WINDOW));
            expected.put(id(u, 'd'), Tuple2.of(1, 50_000L + u));
            expected.put(id(u, 'e'), Tuple2.of(0, 1_000L + u + WINDOW));
            expected.put(id(u, 'f'), Tuple2.of(0, 200_000L + u + WINDOW));
            expectedLate.addAll(List.of(id(u, 'a'), id(u, 'e'), id(u, 'x')));
            expectedDuplicates.addAll(List.of(id(u, 'a'), id(u, 'c')));
        }
        assertThat(ledger).isEqualTo(expected);
        assertThat(ledger.values().stream().filter(l -> l.f0 == 1)).hasSize(3 * USERS);
        assertThat(lateClicks).as("late on a tombstone, or unmatched").containsExactlyInAnyOrderElementsOf(
                expectedLate);
        assertThat(duplicates).containsExactlyInAnyOrderElementsOf(expectedDuplicates);

        // f's history: d's click with the category its impression brought after the first move, then x's (never
        // matched), newest first; a's and b's were pushed out, e's came after f.
        for (LabeledSample f : third) {
            if (f.getImpressionId().endsWith("-f")) {
                int u = Integer.parseInt(f.getUserId().substring(4));
                assertThat(f.getClickedPosts()).extracting(ClickedItem::getItemId, ClickedItem::getCategory,
                        ClickedItem::getClickTime).containsExactly(tuple("t" + id(u, 'd'), "cd", 50_000L + u),
                        tuple("t" + id(u, 'x'), null, 10_000L + u));
            }
        }
    }

    /** Event-time timers the join holds: one per list of {@link LabelDeadlines}, plus one per waiting click. */
    private static int expectedTimersOf(List<Tuple2<String, Long>> open, int waitingClicks) {
        return listsOf(open) + waitingClicks;
    }

    /** Lists of {@link LabelDeadlines}: one per key group and tick of the open impressions' deadlines. */
    private static int listsOf(List<Tuple2<String, Long>> open) {
        Set<String> lists = new HashSet<>();
        for (Tuple2<String, Long> o : open) {
            lists.add(KeyGroupRangeAssignment.assignToKeyGroup(o.f0, MAX_PARALLELISM) + "@"
                    + LabelDeadlines.tickOf(o.f1));
        }
        return lists.size();
    }
}

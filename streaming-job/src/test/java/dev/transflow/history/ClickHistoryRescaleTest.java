package dev.transflow.history;

import dev.transflow.history.HistorySteps.AsOf;
import dev.transflow.history.HistorySteps.Complete;
import dev.transflow.history.HistorySteps.HistoryFunction;
import dev.transflow.history.HistorySteps.Record;
import dev.transflow.history.HistorySteps.Step;
import dev.transflow.schemas.Click;
import dev.transflow.schemas.ClickedItem;
import dev.transflow.schemas.EntityType;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The click history across rescaling 1 → 2 → 1: each user's sequences keep their order, their categories (also one
 * completed between the moves) and the time of their last write, so that the TTL expires them when it would have
 * without the moves.
 */
class ClickHistoryRescaleTest {

    private static final int MAX_PARALLELISM = 128;
    private static final int USERS = 40;
    private static final int LENGTH = 2;
    private static final Duration TTL = Duration.ofHours(1);

    enum Backend {
        HEAP, ROCKSDB;

        StateBackend create() {
            return this == HEAP ? new HashMapStateBackend() : new EmbeddedRocksDBStateBackend();
        }
    }

    private final List<KeyedOneInputStreamOperatorTestHarness<String, Step, ClickHistory.Sequences>> subtasks =
            new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (var h : subtasks) {
            h.close();
        }
    }

    /** Opens {@code parallelism} subtasks, restored from the previous ones' snapshots unless there are none. */
    private void start(Backend backend, int parallelism, List<OperatorSubtaskState> restore, long ttlTime)
            throws Exception {
        subtasks.clear();
        OperatorSubtaskState packed = restore.isEmpty() ? null
                : AbstractStreamOperatorTestHarness.repackageState(restore.toArray(new OperatorSubtaskState[0]));
        for (int subtask = 0; subtask < parallelism; subtask++) {
            var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new HistoryFunction(LENGTH, TTL)),
                    Step::user, Types.STRING, MAX_PARALLELISM, parallelism, subtask);
            h.setStateBackend(backend.create());
            h.setStateTtlProcessingTime(ttlTime);
            if (packed != null) {
                h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(packed,
                        MAX_PARALLELISM, restore.size(), parallelism, subtask));
            }
            h.open();
            subtasks.add(h);
        }
    }

    private List<OperatorSubtaskState> snapshotAndClose(long checkpoint) throws Exception {
        List<OperatorSubtaskState> out = new ArrayList<>();
        for (var h : subtasks) {
            out.add(h.snapshot(checkpoint, checkpoint));
            h.close();
        }
        subtasks.clear();
        return out;
    }

    private KeyedOneInputStreamOperatorTestHarness<String, Step, ClickHistory.Sequences> of(String user) {
        return subtasks.get(KeyGroupRangeAssignment.assignKeyToParallelOperator(user, MAX_PARALLELISM,
                subtasks.size()));
    }

    private static String user(int u) {
        return "user" + u;
    }

    private static Click click(int u, EntityType type, String item, long time) {
        return new Click("imp-" + item, user(u), item, type, time);
    }

    private void record(int u, EntityType type, String item, long time, String category) throws Exception {
        of(user(u)).processElement(new Record(click(u, type, item, time), category), time);
    }

    private ClickHistory.Sequences asOf(int u, long time) throws Exception {
        var h = of(user(u));
        h.getOutput().clear();
        h.processElement(new AsOf(user(u), time), time);
        List<ClickHistory.Sequences> out = h.extractOutputValues();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    /** The history every user has after the first stage, as of each time, with {@code p0}'s category. */
    private void assertHistory(int u, String earlyCategory) throws Exception {
        ClickHistory.Sequences all = asOf(u, 1_000);
        assertThat(all.posts()).extracting(ClickedItem::getItemId, ClickedItem::getCategory,
                ClickedItem::getClickTime).as("user %d, newest first", u)
                .containsExactly(tuple("p3", "c3", 300L), tuple("p2", "c2", 200L));
        assertThat(all.products()).extracting(ClickedItem::getItemId, ClickedItem::getCategory)
                .containsExactly(tuple("a1-" + u, "ca"));
        assertThat(asOf(u, 250).posts()).extracting(ClickedItem::getItemId).as("the spares are kept too")
                .containsExactly("p2", "p1");
        assertThat(asOf(u, 60).posts()).extracting(ClickedItem::getItemId, ClickedItem::getCategory)
                .containsExactly(tuple("p0", earlyCategory));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void orderCategoriesAndTtlSurviveRescalingOneTwoOne(Backend backend) throws Exception {
        // Parallelism 1 at processing time 0: posts out of event-time order, p0 before its impression's category.
        start(backend, 1, List.of(), 0);
        for (int u = 0; u < USERS; u++) {
            record(u, EntityType.POST, "p1", 100, "c1");
            record(u, EntityType.POST, "p3", 300, "c3");
            record(u, EntityType.PRODUCT, "a1-" + u, 150, "ca");
            record(u, EntityType.POST, "p2", 200, "c2");
            record(u, EntityType.POST, "p0", 50, null);
        }

        // Parallelism 2, half a TTL later: even users' p0 gets its category, a write that restarts their TTL.
        long half = TTL.toMillis() / 2;
        start(backend, 2, snapshotAndClose(1), half);
        Set<Integer> used = new HashSet<>();
        for (int u = 0; u < USERS; u++) {
            used.add(KeyGroupRangeAssignment.assignKeyToParallelOperator(user(u), MAX_PARALLELISM, 2));
            if (u % 2 == 0) {
                of(user(u)).processElement(new Complete(click(u, EntityType.POST, "p0", 50), "c0"), 50);
            }
            assertHistory(u, u % 2 == 0 ? "c0" : null);
        }
        assertThat(used).as("users on both subtasks").containsExactlyInAnyOrder(0, 1);

        // Parallelism 1, a TTL after the first writes: odd users, only read since, have expired; even ones not.
        start(backend, 1, snapshotAndClose(2), TTL.toMillis());
        for (int u = 0; u < USERS; u++) {
            if (u % 2 == 0) {
                assertHistory(u, "c0");
            } else {
                ClickHistory.Sequences gone = asOf(u, 1_000);
                assertThat(gone.posts()).as("user %d expired", u).isEmpty();
                assertThat(gone.products()).isEmpty();
            }
        }
        subtasks.get(0).setStateTtlProcessingTime(half + TTL.toMillis());
        for (int u = 0; u < USERS; u += 2) {
            assertThat(asOf(u, 1_000).posts()).as("user %d expired a TTL after its last write", u).isEmpty();
        }
    }
}

package dev.transflow.join;

import dev.transflow.schemas.LabeledSample;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample join's tests on RocksDB, with RocksDB timers: the list merges, map lookups and TTL of the production
 * state backend, and the timer store a user may choose instead of the heap.
 */
class SampleJoinOperatorRocksDbTest extends SampleJoinOperatorTest {

    @Override
    StateBackend stateBackend() {
        return new EmbeddedRocksDBStateBackend();
    }

    @Test
    void listedImpressionsWhoseTimerIsLostAreLabeledAfterARestore() throws Exception {
        // The jobs' setup: heap timers, snapshotted apart from the keyed state (as raw keyed state). Restoring the
        // keyed state alone gives lists without timers, as versions that lost timers left them in checkpoints.
        harness.close();
        EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend();
        backend.setPriorityQueueStateType(EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP);
        harness = newHarness();
        harness.setStateBackend(backend);
        harness.open();
        impressionAt("kept", 1_000);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1_100);
        harness.close();
        assertThat(snapshot.getRawKeyedState()).as("the timer").isNotEmpty();

        harness = newHarness();
        harness.setStateBackend(backend);
        harness.initializeState(OperatorSubtaskState.builder()
                .setManagedKeyedState(snapshot.getManagedKeyedState()).build());
        harness.open();
        watermark(1_000 + LabelDeadlines.TICK_MILLIS + java.time.Duration.ofMinutes(5).toMillis());

        assertThat(labels()).extracting(LabeledSample::getImpressionId).containsExactly("kept");
    }
}

package dev.transflow.join;

import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;

/**
 * The sample join's tests on RocksDB, with RocksDB timers: the list merges, map lookups and TTL of the production
 * state backend, and the timer store a user may choose instead of the heap.
 */
class SampleJoinOperatorRocksDbTest extends SampleJoinOperatorTest {

    @Override
    StateBackend stateBackend() {
        return new EmbeddedRocksDBStateBackend();
    }
}

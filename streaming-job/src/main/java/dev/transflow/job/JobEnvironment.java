package dev.transflow.job;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Flink settings Transflow's jobs need unless the user sets them: exactly-once checkpoints every 10 s (the model
 * and the Kafka offsets are one checkpoint), RocksDB state with event-time timers on the heap, retained checkpoints
 * under {@code ~/.transflow/checkpoints/<job>} and restarts with a fixed delay.
 *
 * <p>Only the sample join registers timers: one per key group and second of event time in its attribution window,
 * and one per click waiting for its impression (about 40,000 for a 5-minute window and 128 key groups). In RocksDB a
 * timer is written, read back and deleted; on the heap it costs a hash-set entry, and all of them are copied at each
 * checkpoint. Bloom filters, because most of the join's lookups are for impression ids it has not seen yet.
 */
public final class JobEnvironment {

    private JobEnvironment() {}

    /** {@code config} plus the defaults it does not override. */
    public static Configuration withDefaults(Configuration config, String jobName) {
        Configuration out = new Configuration();
        out.set(PipelineOptions.NAME, jobName);
        out.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(10));
        out.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        out.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        out.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                Path.of(System.getProperty("user.home"), ".transflow", "checkpoints", jobName).toUri().toString());
        out.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        out.set(RocksDBOptions.TIMER_SERVICE_FACTORY, EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP);
        out.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        out.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        out.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        out.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(5));
        out.addAll(config);
        return out;
    }
}

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
 * under {@code ~/.transflow/checkpoints/<job>} and restarts with exponential delay that resets.
 *
 * <p>Restarts: a continual job runs for months, so failures must not add up over its life. The delay starts at
 * 1 s and doubles up to 2 min (with 10% jitter, so jobs sharing a broken dependency do not retry in step); after
 * 10 min without a failure the delay and the attempt count start over. Only 30 failures with less than 10 min
 * between any two of them (about 50 min of a crash loop) fail the job. A restart strategy the user configures
 * (any {@code restart-strategy} key) is left exactly as given, none of these values mixed in.
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
        if (!configuresRestarts(config)) {
            out.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
            out.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
            out.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofMinutes(2));
            out.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
            out.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
            out.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                    Duration.ofMinutes(10));
            out.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, 30);
        }
        out.addAll(config);
        return out;
    }

    /**
     * Whether {@code config} chooses restarts itself: the strategy (also under the key Flink read before 1.19,
     * {@code restart-strategy}) or any of its parameters, which would otherwise be mixed with ours.
     */
    private static boolean configuresRestarts(Configuration config) {
        String prefix = RestartStrategyOptions.RESTART_STRATEGY_CONFIG_PREFIX;
        return config.keySet().stream().anyMatch(key -> key.equals(prefix) || key.startsWith(prefix + "."));
    }
}

package dev.transflow.job;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Flink settings Transflow's jobs need where nobody else sets them: exactly-once checkpoints every 10 s (the model
 * and the Kafka offsets are one checkpoint), retained on cancellation, RocksDB state with event-time timers on the
 * heap, and, in embedded runs only, checkpoints under {@code ~/.transflow/checkpoints/<job>} and restarts with
 * exponential delay that resets.
 *
 * <p><b>Whose settings win.</b> A default applies only where the configuration the job is given leaves the key
 * unset. On a cluster ({@code flink run}) that configuration is the cluster's {@code config.yaml} with the job's
 * {@code --set} values over it, so the cluster's settings stay; and there the checkpoint directory and the restart
 * strategy are the deployment's business: Transflow sets neither, even where the cluster is silent. Only embedded
 * runs ({@code java -jar}, {@code transflow demo}, tests), which have nobody else to ask, get them from here.
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

    /** Where a job runs, which decides the defaults it gets. */
    public enum Target {
        /** A cluster Transflow starts in its own JVM: every default applies where the user set nothing. */
        EMBEDDED,
        /** A cluster the job is submitted to: its checkpoint directory and restart strategy stay its own. */
        CLUSTER
    }

    /** The environment a job is built in, the configuration its operators read, and where it runs. */
    public record Prepared(StreamExecutionEnvironment env, Configuration config, Target target) { }

    /**
     * The environment for job {@code jobName} with the user's settings {@code user}: under {@code flink run} the
     * cluster's context environment, whose configuration is the cluster's with {@code user} over it; elsewhere a
     * local environment, to be run on an embedded cluster. Transflow's defaults fill in what is still unset.
     */
    public static Prepared prepare(Configuration user, String jobName) {
        StreamExecutionEnvironment context = StreamExecutionEnvironment.getExecutionEnvironment(user);
        Target target = context instanceof LocalStreamEnvironment ? Target.EMBEDDED : Target.CLUSTER;
        // A local environment adds only its own deployment keys (target, parallelism) to the user's settings.
        Configuration given = target == Target.EMBEDDED ? user
                : Configuration.fromMap(context.getConfiguration().toMap());
        Configuration config = withDefaults(given, jobName, target);
        return new Prepared(StreamExecutionEnvironment.getExecutionEnvironment(config), config, target);
    }

    /** {@code given} plus the defaults for {@code target} that it leaves unset. */
    public static Configuration withDefaults(Configuration given, String jobName, Target target) {
        Configuration out = new Configuration(given);
        setIfUnset(out, PipelineOptions.NAME, jobName);
        setIfUnset(out, CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(10));
        setIfUnset(out, CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        setIfUnset(out, CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        setIfUnset(out, StateBackendOptions.STATE_BACKEND, "rocksdb");
        setIfUnset(out, RocksDBOptions.TIMER_SERVICE_FACTORY, EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP);
        setIfUnset(out, RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        if (target == Target.EMBEDDED) {
            setIfUnset(out, CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    Path.of(System.getProperty("user.home"), ".transflow", "checkpoints", jobName).toUri().toString());
            if (!configuresRestarts(given)) {
                out.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
                out.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                        Duration.ofSeconds(1));
                out.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofMinutes(2));
                out.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
                out.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
                out.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                        Duration.ofMinutes(10));
                out.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, 30);
            }
        }
        return out;
    }

    /** Sets {@code option} unless {@code config} has it, under its key or a deprecated one. */
    private static <T> void setIfUnset(Configuration config, ConfigOption<T> option, T value) {
        if (!config.contains(option)) {
            config.set(option, value);
        }
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

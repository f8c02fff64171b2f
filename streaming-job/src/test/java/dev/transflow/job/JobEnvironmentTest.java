package dev.transflow.job;

import dev.transflow.job.JobEnvironment.Target;

import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.DefaultExecutorServiceLoader;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Which of Transflow's execution defaults a job gets, embedded and on a cluster. */
class JobEnvironmentTest {

    /** What a cluster's config.yaml might say, in Flink's current keys. */
    private static final Map<String, String> CLUSTER = Map.of(
            "execution.checkpointing.dir", "s3://flink/checkpoints",
            "restart-strategy.type", "fixed-delay",
            "restart-strategy.fixed-delay.attempts", "3",
            "execution.checkpointing.interval", "30 s",
            "state.backend.type", "hashmap");

    private static Map<String, String> restartKeys(Configuration config) {
        return config.toMap().entrySet().stream()
                .filter(e -> e.getKey().startsWith(RestartStrategyOptions.RESTART_STRATEGY_CONFIG_PREFIX))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    @Test
    void restartsBackOffExponentiallyAndTheBackOffResetsByDefault() {
        Configuration config = JobEnvironment.withDefaults(new Configuration(), "job", Target.EMBEDDED);

        assertThat(config.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(config.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD))
                .isEqualTo(Duration.ofMinutes(10));
        assertThat(config.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF))
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(config.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS)).isEqualTo(30);
        assertThat(restartKeys(config)).noneSatisfy((key, value) -> assertThat(key).contains("fixed-delay"));
    }

    @Test
    void aRestartStrategyTheUserConfiguredIsKeptAsItIs() {
        List<Map<String, String>> configured = List.of(
                Map.of("restart-strategy.type", "fixed-delay"),
                Map.of("restart-strategy.type", "fixed-delay", "restart-strategy.fixed-delay.attempts", "3"),
                // The key before Flink 1.19, still read by Flink.
                Map.of("restart-strategy", "none"),
                Map.of("restart-strategy.exponential-delay.max-backoff", "5 min"));
        for (Map<String, String> user : configured) {
            Configuration config = JobEnvironment.withDefaults(Configuration.fromMap(user), "job", Target.EMBEDDED);

            assertThat(restartKeys(config)).as("%s", user).isEqualTo(user);
            // The other defaults still apply.
            assertThat(config.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(10));
        }
    }

    @Test
    void onAClusterItsCheckpointDirectoryRestartStrategyAndOtherSettingsStay() {
        Configuration config = JobEnvironment.withDefaults(Configuration.fromMap(CLUSTER), "job", Target.CLUSTER);

        assertThat(config.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("s3://flink/checkpoints");
        assertThat(restartKeys(config)).isEqualTo(Map.of("restart-strategy.type", "fixed-delay",
                "restart-strategy.fixed-delay.attempts", "3"));
        assertThat(config.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("hashmap");
        // What the cluster leaves unset still gets Transflow's value.
        assertThat(config.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(config.get(PipelineOptions.NAME)).isEqualTo("job");
    }

    @Test
    void onAClusterThatIsSilentTransflowSetsNeitherCheckpointDirectoryNorRestartStrategy() {
        Configuration config = JobEnvironment.withDefaults(new Configuration(), "job", Target.CLUSTER);

        assertThat(config.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isFalse();
        assertThat(restartKeys(config)).isEmpty();
        assertThat(config.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
    }

    @Test
    void aCheckpointDirectoryUnderTheKeyBeforeFlink2CountsAsSet() {
        Configuration config = JobEnvironment.withDefaults(
                Configuration.fromMap(Map.of("state.checkpoints.dir", "file:///old/key")), "job", Target.EMBEDDED);

        assertThat(config.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("file:///old/key");
        assertThat(config.toMap()).doesNotContainKey(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key());
    }

    @Test
    void embeddedRunsGetEveryDefaultTheirConfigurationLeavesUnset() {
        Configuration config = JobEnvironment.withDefaults(new Configuration(), "job", Target.EMBEDDED);

        assertThat(config.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo(Path.of(System.getProperty("user.home"), ".transflow", "checkpoints", "job").toUri()
                        .toString());
        assertThat(config.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(config.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");

        Configuration own = JobEnvironment.withDefaults(Configuration.fromMap(CLUSTER), "job", Target.EMBEDDED);
        assertThat(own.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("s3://flink/checkpoints");
        assertThat(restartKeys(own)).containsOnlyKeys("restart-strategy.type", "restart-strategy.fixed-delay.attempts");
    }

    @Test
    void withoutAClusterTheJobIsPreparedToRunEmbeddedWithTheDefaults() {
        JobEnvironment.Prepared job = JobEnvironment.prepare(new Configuration(), "job");

        assertThat(job.target()).isEqualTo(Target.EMBEDDED);
        assertThat(job.env()).isInstanceOf(LocalStreamEnvironment.class);
        assertThat(job.config().get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(job.config().contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isTrue();
        assertThat(job.env().getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo(job.config().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY));
    }

    @Test
    void underFlinkRunTheClustersSettingsStayAndTheUsersOverrideThem() {
        // What 'flink run' does before it calls the job's main method: the cluster's configuration becomes the
        // context of every environment the job asks for.
        StreamContextEnvironment.setAsContext(new DefaultExecutorServiceLoader(), Configuration.fromMap(CLUSTER),
                getClass().getClassLoader(), false, false);
        try {
            Configuration user = Configuration.fromMap(Map.of("execution.checkpointing.interval", "5 s"));

            JobEnvironment.Prepared job = JobEnvironment.prepare(user, "job");

            assertThat(job.target()).isEqualTo(Target.CLUSTER);
            for (ReadableConfig config : List.of(job.config(), job.env().getConfiguration())) {
                assertThat(config.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("s3://flink/checkpoints");
                assertThat(config.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("fixed-delay");
                assertThat(config.toMap()).doesNotContainKey(
                        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS.key());
                assertThat(config.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("hashmap");
                assertThat(config.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(5));
            }
        } finally {
            StreamContextEnvironment.unsetAsContext();
        }
    }
}

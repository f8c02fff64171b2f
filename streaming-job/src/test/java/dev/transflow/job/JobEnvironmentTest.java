package dev.transflow.job;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class JobEnvironmentTest {

    private static Map<String, String> restartKeys(Configuration config) {
        return config.toMap().entrySet().stream()
                .filter(e -> e.getKey().startsWith(RestartStrategyOptions.RESTART_STRATEGY_CONFIG_PREFIX))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    @Test
    void restartsBackOffExponentiallyAndTheBackOffResetsByDefault() {
        Configuration config = JobEnvironment.withDefaults(new Configuration(), "job");

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
            Configuration config = JobEnvironment.withDefaults(Configuration.fromMap(user), "job");

            assertThat(restartKeys(config)).as("%s", user).isEqualTo(user);
            // The other defaults still apply.
            assertThat(config.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(10));
        }
    }
}

package dev.transflow.cli;

import dev.transflow.config.OptionCatalogue;
import dev.transflow.demo.Demo;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.train.MemOptions;
import dev.transflow.train.TrainerOptions;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobSettingsTest {

    @TempDir
    Path dir;

    @Test
    void aYamlFileIsReadNestedOrDottedAndSetWinsOverIt() throws IOException {
        JobSettings settings = settings(yaml("""
                transflow:
                  trainer:
                    batch-size: 128
                    seed: 7
                transflow.mem.publish-interval: 30 s
                execution.checkpointing.interval: 20 s
                model:
                  mkt:
                    dropout: 0.2
                """), "transflow.trainer.seed=9");
        Configuration config = settings.configuration();
        assertThat(config.get(TrainerOptions.BATCH_SIZE)).isEqualTo(128);
        assertThat(config.get(TrainerOptions.SEED)).isEqualTo(9L);
        assertThat(config.get(MemOptions.PUBLISH_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(20));
        assertThat(settings.modelSettings()).containsExactlyEntriesOf(java.util.Map.of("model.mkt.dropout", "0.2"));
    }

    @Test
    void deprecatedKeysAreReadAsCurrentOnesAndTheLaterSettingWins() throws IOException {
        JobSettings settings = settings(yaml("transflow.trainer.batch-size: 128\n"), "trainer.batch-size=64");
        Configuration config = settings.configuration();
        assertThat(config.get(TrainerOptions.BATCH_SIZE)).isEqualTo(64);
        assertThat(config.keySet()).contains("transflow.trainer.batch-size").doesNotContain("trainer.batch-size");
        // A job's own default under the current key does not hide a deprecated key the user gave.
        Configuration jobDefaults = new Configuration();
        jobDefaults.set(TrainerOptions.BATCH_SIZE, 256);
        jobDefaults.addAll(config);
        assertThat(jobDefaults.get(TrainerOptions.BATCH_SIZE)).isEqualTo(64);
    }

    @Test
    void badSettingsInTheFileFailNamingKeyAndReason() throws IOException {
        assertThatThrownBy(() -> settings(yaml("transflow.trainer.bach-size: 64\n")).configuration())
                .hasMessageContaining("Unknown option 'transflow.trainer.bach-size'")
                .hasMessageContaining("transflow.trainer.batch-size").hasMessageContaining("settings.yaml");
        assertThatThrownBy(() -> settings(yaml("transflow:\n  snapshot:\n    retain: 0\n")).configuration())
                .hasMessageContaining("transflow.snapshot.retain is 0; it must be at least 1");
        assertThatThrownBy(() -> settings(dir.resolve("missing.yaml")).configuration())
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> settings(yaml("transflow: [unclosed\n")).configuration())
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void checksAcrossOptionsWaitForTheJobsWholeConfiguration() {
        // Over Transflow's defaults a 20 s window is shorter than the 30 s future skew; the demo's skew is 5 s.
        Configuration config = settings(null, "join.attribution-window=20s").configuration();
        assertThatThrownBy(() -> OptionCatalogue.validate(config)).hasMessageContaining("must be shorter than");
        assertThatCode(() -> OptionCatalogue.validate(Demo.jobConfig(config))).doesNotThrowAnyException();
        assertThatThrownBy(() -> settings(null, "transflow.trainer.batch-size=1").configuration())
                .hasMessageContaining("transflow.trainer.batch-size is 1; it must be at least 2");
    }

    @Test
    void modelSettingsAreCheckedByTheModelRegistryAndReachTheTrainersModel() {
        assertThatThrownBy(() -> settings(null, "model.dropot=0.3").configuration())
                .hasMessageContaining("model.dropout");
        assertThatThrownBy(() -> settings(null, "transflow.model.mkt.dropout=2").configuration())
                .hasMessageContaining("dropout");
        Configuration config = settings(null, "transflow.model.mkt.dropout=0.3", "model.embedding-l2=0.001",
                "transflow.trainer.model=mkt").configuration();
        ModelConfig mkt = dev.transflow.train.TrainerSettingsAccess.modelConfig(config);
        assertThat(mkt.dropout()).isEqualTo(0.3f);
        assertThat(mkt.embeddingL2()).isEqualTo(0.001f);
        assertThat(mkt.batchSize()).isEqualTo(config.get(TrainerOptions.BATCH_SIZE));
    }

    private Path yaml(String text) throws IOException {
        return Files.writeString(dir.resolve("settings.yaml"), text);
    }

    private static JobSettings settings(Path file, String... sets) {
        JobSettings settings = new JobSettings();
        settings.configFile = file;
        settings.settings = List.of(sets);
        return settings;
    }
}

package dev.transflow.cli;

import dev.transflow.config.OptionCatalogue;
import dev.transflow.demo.Demo;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.train.MemOptions;
import dev.transflow.train.TrainerOptions;
import dev.transflow.train.TrainerSettingsAccess;

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
        assertThat(OptionCatalogue.modelSettings(config.toMap()))
                .containsExactlyEntriesOf(java.util.Map.of("model.mkt.dropout", "0.2"));
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
        ModelConfig mkt = TrainerSettingsAccess.modelConfig(config);
        assertThat(mkt.dropout()).isEqualTo(0.3f);
        assertThat(mkt.embeddingL2()).isEqualTo(0.001f);
        assertThat(mkt.batchSize()).isEqualTo(config.get(TrainerOptions.BATCH_SIZE));
    }

    @Test
    void theTrainersBatchSizeAndThreadsAreTheOnesAModelSettingMayOnlyRepeat() {
        Configuration same = settings(null, "transflow.trainer.batch-size=128", "model.batch-size=128",
                "model.threads=1").configuration();
        assertThatCode(() -> OptionCatalogue.validate(same)).doesNotThrowAnyException();
        assertThat(TrainerSettingsAccess.modelConfig(same).batchSize()).isEqualTo(128);

        assertThatThrownBy(() -> OptionCatalogue.validate(settings(null, "model.batch-size=64").configuration()))
                .hasMessageContaining("model.batch-size is 64 for mkt")
                .hasMessageContaining("set transflow.trainer.batch-size instead");
        // A model's own setting counts for that model only.
        Configuration perModel = settings(null, "model.mkt.threads=4", "transflow.trainer.model=mkt")
                .configuration();
        assertThatThrownBy(() -> TrainerSettingsAccess.modelConfig(perModel))
                .hasMessageContaining("model.threads is 4 for mkt, but the trainers use transflow.trainer.threads (1)");
        assertThatCode(() -> OptionCatalogue.validate(settings(null, "model.mkt.threads=4",
                "transflow.trainer.model=mlp").configuration())).doesNotThrowAnyException();
    }

    @Test
    void anUnknownTrainerModelFailsAtSubmissionWithTheClosestName() {
        assertThatThrownBy(() -> settings(null, "transflow.trainer.model=mtk").configuration())
                .hasMessageContaining("transflow.trainer.model is 'mtk'").hasMessageContaining("did you mean 'mkt'");
    }

    @Test
    void aSetWithoutKeyFailsNamingTheArgument() {
        assertThatThrownBy(() -> settings(null, "transflow.trainer.seed").configuration())
                .hasMessage("--set takes KEY=VALUE (a key, '=', then the value), got 'transflow.trainer.seed'");
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

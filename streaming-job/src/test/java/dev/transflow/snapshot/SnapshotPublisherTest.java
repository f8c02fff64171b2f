package dev.transflow.snapshot;

import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.train.PretrainingModel;
import dev.transflow.model.registry.ModelRegistry;
import dev.transflow.model.snapshot.SnapshotException;
import dev.transflow.model.snapshot.SnapshotStore;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.schemas.ModelKind;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.simulate.World;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Publication into a store that holds more than the publishers wrote. */
class SnapshotPublisherTest {

    private static PretrainingModel model;

    @BeforeAll
    static void model() {
        FeatureSchema schema = FeatureSchema.infer(World.SOURCE_LAYOUT, World.TARGET_LAYOUT, 1 << 10, 100);
        model = ModelRegistry.pretrainer("mkt", ModelKind.MEM, new SampleEncoder(schema),
                ModelConfig.defaults().withBatchSize(64), 3);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void strayDirectoriesInTheStoreDoNotStopPublication(@TempDir Path dir) throws Exception {
        SnapshotStore store = new SnapshotStore(dir);
        Path kind = Files.createDirectories(dir.resolve("mem"));
        // Names a person or a tool may leave: a number no long holds, a backup, a copy.
        Files.createDirectories(kind.resolve("v99999999999999999999"));
        Files.createDirectories(kind.resolve("backup"));
        Files.createDirectories(kind.resolve("v2.old"));

        ModelVersion published = new SnapshotPublisher(store, ModelKind.MEM, 1).publish(model, -1, 0, Map.of(),
                false);

        assertThat(published.getVersion()).isZero();
        assertThat(store.versions(ModelKind.MEM)).containsExactly(0L);
        assertThat(kind.resolve("backup")).isDirectory();
    }

    @Test
    void aStoreAtTheLargestVersionFailsWithAnErrorThatSaysWhatToDo(@TempDir Path dir) throws Exception {
        SnapshotStore store = new SnapshotStore(dir);
        Path highest = Files.createDirectories(dir.resolve("mem").resolve("v" + Long.MAX_VALUE));

        assertThatThrownBy(() -> new SnapshotPublisher(store, ModelKind.MEM, 1).publish(model, -1, 0, Map.of(),
                false)).isInstanceOf(SnapshotException.class).hasMessageContaining(highest.toString())
                .hasMessageContaining("remove");
        assertThat(store.versions(ModelKind.MEM)).containsExactly(Long.MAX_VALUE);
    }
}

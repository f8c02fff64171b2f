package dev.transflow.model.snapshot;

import dev.transflow.model.TinyWorld;
import dev.transflow.model.baseline.TargetOnlyModel;
import dev.transflow.model.nn.Backbone;
import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.mkt.MktModel;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.ModelKind;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SnapshotStoreTest {

    private static SampleEncoder encoder;
    private static EncodedSamples source;
    private static EncodedSamples target;
    private static final ModelConfig CONFIG = ModelConfig.defaults().withBatchSize(256);

    @BeforeAll
    static void data() {
        TinyWorld world = new TinyWorld(3_000, 2_000, 4);
        encoder = new SampleEncoder(TinyWorld.schema());
        Map<Domain, EncodedSamples> encoded = encoder.encode(world.source, world.target);
        source = encoded.get(Domain.SOURCE);
        target = encoded.get(Domain.TARGET);
    }

    @Test
    void publishedWeightsRestoreIntoAFreshModel(@TempDir Path dir) {
        SnapshotStore store = new SnapshotStore(dir);
        float[] expected;
        SnapshotStore.Snapshot snapshot;
        try (MktModel model = new MktModel("mkt", encoder, CONFIG, 1, MktModel.Settings.FULL)) {
            model.fit(source, source.rows, target, 1_500);
            expected = model.predict(target, 1_500, target.rows);
            snapshot = model.publish(store, ModelKind.TEM, 1, Map.of("auc", 0.7), false);
        }

        assertThat(snapshot.directory()).isEqualTo(dir.resolve("tem").resolve("v1"));
        assertThat(snapshot.manifest().metrics()).containsEntry("auc", 0.7);
        assertThat(snapshot.manifest().files()).isNotEmpty()
                .allSatisfy((name, sha) -> assertThat(sha).hasSize(64));
        assertThat(snapshot.manifestSha256()).hasSize(64);
        try (MktModel fresh = new MktModel("mkt", encoder, CONFIG, 99, MktModel.Settings.FULL)) {
            assertThat(fresh.predict(target, 1_500, target.rows)).isNotEqualTo(expected);
            fresh.load(SnapshotStore.read(snapshot.directory(), ModelKind.TEM, encoder.schema()));
            assertThat(fresh.predict(target, 1_500, target.rows)).containsExactly(expected, within(1e-6f));
        }
    }

    @Test
    void savedModelServesTheSameScores(@TempDir Path dir) {
        SnapshotStore store = new SnapshotStore(dir);
        float[] expected;
        SnapshotStore.Snapshot snapshot;
        try (TargetOnlyModel model = new TargetOnlyModel("din", encoder, CONFIG, 1, Backbone.Spec.FULL, false)) {
            model.fit(source, 0, target, 1_000);
            expected = model.predict(target, 0, 10);
            snapshot = model.publish(store, ModelKind.TEM, 7, Map.of(), true);
        }
        Path savedModel = snapshot.directory().resolve(ModelSnapshots.SAVED_MODEL_DIR);
        assertThat(savedModel.resolve("saved_model.pb")).exists();

        try (SavedModelBundle bundle = SavedModelBundle.load(savedModel.toString(), "serve")) {
            Map<String, Tensor> inputs = new HashMap<>();
            int cw = target.layout.categoricalWidth();
            int nw = target.layout.numericWidth();
            int seq = target.layout.sequenceLength();
            int attrs = target.layout.sequenceAttributes();
            inputs.put("categorical", TInt32.tensorOf(Shape.of(10, cw),
                    DataBuffers.of(target.categorical, true, false).slice(0, 10L * cw)));
            inputs.put("numeric", TFloat32.tensorOf(Shape.of(10, nw),
                    DataBuffers.of(target.numeric, true, false).slice(0, 10L * nw)));
            inputs.put("product_sequence", TInt32.tensorOf(Shape.of(10, seq, attrs),
                    DataBuffers.of(target.productSequence, true, false).slice(0, 10L * seq * attrs)));
            inputs.put("product_length", TInt32.tensorOf(Shape.of(10),
                    DataBuffers.of(target.productSequenceLength, true, false).slice(0, 10)));
            inputs.put("post_sequence", TInt32.tensorOf(Shape.of(10, seq, attrs),
                    DataBuffers.of(target.postSequence, true, false).slice(0, 10L * seq * attrs)));
            inputs.put("post_length", TInt32.tensorOf(Shape.of(10),
                    DataBuffers.of(target.postSequenceLength, true, false).slice(0, 10)));
            try (var result = bundle.function("serving_default").call(inputs)) {
                TFloat32 scores = (TFloat32) result.get("score").orElseThrow();
                for (int i = 0; i < 10; i++) {
                    assertThat(scores.getFloat(i, 0)).isCloseTo(expected[i], within(1e-6f));
                }
            } finally {
                inputs.values().forEach(Tensor::close);
            }
        }
    }

    @Test
    void damagedPartialForeignAndMismatchedSnapshotsAreRejectedByName(@TempDir Path dir) throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        SnapshotStore.Snapshot snapshot = store.publish(ModelKind.MEM, 3, encoder.schema(), Map.of(), d -> {
            Files.writeString(d.resolve("weights.bin"), "0123456789");
            Files.createDirectories(d.resolve("sub"));
            Files.writeString(d.resolve("sub").resolve("more.bin"), "abc");
        });
        Path weights = snapshot.directory().resolve("weights.bin");

        assertThatThrownBy(() -> SnapshotStore.read(snapshot.directory(), ModelKind.TEM, null))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("holds a MEM model, not TEM");
        FeatureSchema other = FeatureSchema.infer(TinyWorld.SOURCE, TinyWorld.TARGET, 1024, 64);
        assertThatThrownBy(() -> SnapshotStore.read(snapshot.directory(), ModelKind.MEM, other))
                .hasMessageContaining("trained with feature schema").hasMessageContaining("use the same schema file");

        Files.writeString(weights, "0123456780");
        assertThatThrownBy(() -> SnapshotStore.read(snapshot.directory(), ModelKind.MEM, encoder.schema()))
                .hasMessageContaining(weights.toString()).hasMessageContaining("is damaged");

        Files.delete(weights);
        assertThatThrownBy(() -> SnapshotStore.read(snapshot.directory(), ModelKind.MEM, encoder.schema()))
                .hasMessageContaining(weights.toString()).hasMessageContaining("partial");

        Files.delete(snapshot.directory().resolve(Manifest.FILE_NAME));
        assertThatThrownBy(() -> SnapshotStore.read(snapshot.directory(), ModelKind.MEM, encoder.schema()))
                .hasMessageContaining("manifest.json is missing");

        Files.writeString(snapshot.directory().resolve(Manifest.FILE_NAME), "{not json");
        assertThatThrownBy(() -> SnapshotStore.read(snapshot.directory(), ModelKind.MEM, encoder.schema()))
                .hasMessageContaining("is not valid JSON");
    }

    @Test
    void versionsAreNeverOverwrittenAndOldOnesAreRetired(@TempDir Path dir) throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        for (long v = 1; v <= 4; v++) {
            store.publish(ModelKind.TPM, v, encoder.schema(), Map.of(), d -> Files.writeString(d.resolve("x"), "x"));
        }
        assertThatThrownBy(() -> store.publish(ModelKind.TPM, 4, encoder.schema(), Map.of(), d -> { }))
                .hasMessageContaining("exists already");
        // A writer that fails leaves no trace.
        assertThatThrownBy(() -> store.publish(ModelKind.TPM, 5, encoder.schema(), Map.of(), d -> {
            throw new IOException("disk full");
        })).hasMessageContaining("disk full");
        try (var list = Files.list(dir.resolve("tpm"))) {
            assertThat(list.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("v1", "v2", "v3", "v4");
        }

        store.retain(ModelKind.TPM, 2);

        assertThat(store.versions(ModelKind.TPM)).containsExactly(3L, 4L);
        assertThat(store.latestVersion(ModelKind.TPM)).isEqualTo(4);
        assertThat(store.latestVersion(ModelKind.CPM)).isEqualTo(-1);
    }

    /** Writes {@code snapshot}'s manifest again with {@code extra} added to its file list. */
    private static void listInManifest(SnapshotStore.Snapshot snapshot, String name, String sha256)
            throws IOException {
        Path file = snapshot.directory().resolve(Manifest.FILE_NAME);
        Manifest m = Manifest.parse(Files.readString(file), file.toString());
        Map<String, String> files = new TreeMap<>(m.files());
        files.put(name, sha256);
        Files.writeString(file, new Manifest(m.formatVersion(), m.modelKind(), m.version(), m.createdAt(),
                m.featureSchema(), m.featureSchemaSha256(), files, m.metrics()).toJson());
    }

    @Test
    void manifestEntriesThatLeaveTheSnapshotDirectoryAreRejected(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "not part of any snapshot");
        String secretSha = SnapshotStore.sha256(secret);
        SnapshotStore store = new SnapshotStore(dir.resolve("store"));
        for (String name : List.of("../../../secret.txt", secret.toString(), "sub/../../../../secret.txt")) {
            long version = store.latestVersion(ModelKind.MEM) + 1;
            SnapshotStore.Snapshot snapshot = store.publish(ModelKind.MEM, version, encoder.schema(), Map.of(),
                    d -> Files.writeString(d.resolve("weights.bin"), "w"));
            listInManifest(snapshot, name, secretSha);
            assertThatThrownBy(() -> SnapshotStore.read(snapshot.directory(), ModelKind.MEM, encoder.schema()))
                    .as(name).isInstanceOf(SnapshotException.class)
                    .hasMessageContaining(name).hasMessageContaining("outside the snapshot");
        }

        // A link inside the snapshot that leads out of it is no better than a name that does.
        SnapshotStore.Snapshot linked = store.publish(ModelKind.MEM, 10, encoder.schema(), Map.of(),
                d -> Files.writeString(d.resolve("weights.bin"), "w"));
        Files.createSymbolicLink(linked.directory().resolve("link.bin"), secret);
        listInManifest(linked, "link.bin", secretSha);
        assertThatThrownBy(() -> SnapshotStore.read(linked.directory(), ModelKind.MEM, encoder.schema()))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("link.bin").hasMessageContaining("outside the snapshot");
    }

    @Test
    void entriesThatAreNotVersionDirectoriesAreIgnored(@TempDir Path dir) throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        for (long v : new long[] {2, 5}) {
            store.publish(ModelKind.TPM, v, encoder.schema(), Map.of(), d -> Files.writeString(d.resolve("x"), "x"));
        }
        Path kind = dir.resolve("tpm");
        List<String> stray = List.of("v99999999999999999999", "v007", "v3-copy", "backup", "v");
        for (String name : stray) {
            Files.createDirectories(kind.resolve(name));
        }
        Files.writeString(kind.resolve("v8"), "a file, not a snapshot");
        Files.writeString(kind.resolve("notes.txt"), "written by hand");

        assertThat(store.versions(ModelKind.TPM)).containsExactly(2L, 5L);
        assertThat(store.latestVersion(ModelKind.TPM)).isEqualTo(5);

        store.retain(ModelKind.TPM, 1);
        assertThat(store.versions(ModelKind.TPM)).containsExactly(5L);
        for (String name : stray) {
            assertThat(kind.resolve(name)).isDirectory();
        }
        assertThat(kind.resolve("v8")).isRegularFile();
    }

    @Test
    void aPublicationRemovesTemporaryDirectoriesThatNoPublisherCanFinish(@TempDir Path dir) throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        Path kind = dir.resolve("cpm");
        // Left by attempts that died while writing (a crash, a full disk).
        Path stale = Files.createDirectories(kind.resolve(".tmp-v1-0a1b"));
        Files.writeString(stale.resolve("variables.data"), "half written");
        Path staleSame = Files.createDirectories(kind.resolve(".tmp-v3-2c3d"));
        Path newer = Files.createDirectories(kind.resolve(".tmp-v4-4e5f"));

        store.publish(ModelKind.CPM, 3, encoder.schema(), Map.of(), d -> Files.writeString(d.resolve("x"), "x"));

        assertThat(stale).doesNotExist();
        assertThat(staleSame).doesNotExist();
        // A higher version may still be on its way from another writer.
        assertThat(newer).isDirectory();
        assertThat(store.versions(ModelKind.CPM)).containsExactly(3L);
    }
}

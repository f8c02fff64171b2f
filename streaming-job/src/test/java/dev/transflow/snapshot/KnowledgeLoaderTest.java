package dev.transflow.snapshot;

import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.mkt.MktModel;
import dev.transflow.model.mkt.MultiEntityModel;
import dev.transflow.model.nn.Net;
import dev.transflow.model.registry.ModelRegistry;
import dev.transflow.model.snapshot.SnapshotStore;
import dev.transflow.model.train.GraphModel;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.schemas.ModelKind;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.simulate.World;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the loader accepts: only verified, finite snapshots that the store itself holds under their version. */
class KnowledgeLoaderTest {

    private static final FeatureSchema SCHEMA = FeatureSchema.infer(World.SOURCE_LAYOUT, World.TARGET_LAYOUT,
            1 << 10, 100);
    private static final ModelConfig CONFIG = ModelConfig.defaults().withBatchSize(64);

    /** The TEM the loader reads MEM weights for, and the MEM whose snapshots are published. */
    private static GraphModel reader;
    private static MktModel mem;

    @TempDir
    Path dir;

    private SnapshotStore store;
    private KnowledgeLoader loader;
    private CountDownLatch gate;

    @BeforeAll
    static void models() {
        reader = (GraphModel) ModelRegistry.create("mkt", new SampleEncoder(SCHEMA), CONFIG, 1);
        mem = (MktModel) ModelRegistry.pretrainer("mkt", ModelKind.MEM, new SampleEncoder(SCHEMA), CONFIG, 7);
    }

    @AfterAll
    static void closeModels() {
        reader.close();
        mem.close();
    }

    @BeforeEach
    void start() {
        store = new SnapshotStore(dir.resolve("store"));
        // The loader's thread waits for the gate before its first task, so a test controls what is queued.
        gate = new CountDownLatch(1);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.execute(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        loader = new KnowledgeLoader(ModelKind.MEM, reader, MultiEntityModel.GROUP, store, executor);
    }

    @AfterEach
    void stop() {
        gate.countDown();
        loader.close();
    }

    /** Publishes the next MEM version as the MEM job does. */
    private ModelVersion publish() {
        return new SnapshotPublisher(store, ModelKind.MEM, 10).publish(mem, -1, 0, Map.of(), false);
    }

    /** Publishes the next MEM version with one value of its last parameter set to {@code value}. */
    private ModelVersion publishWith(float value) {
        List<Net.Param> params = mem.net().params(MultiEntityModel.GROUP);
        Net.Param param = params.get(params.size() - 1);
        float[] healthy = mem.values(param);
        float[] poisoned = healthy.clone();
        poisoned[poisoned.length / 2] = value; // as a diverged trainer would write it
        mem.net().assign(mem.session(), Map.of(param, poisoned));
        try {
            return publish();
        } finally {
            mem.net().assign(mem.session(), Map.of(param, healthy));
        }
    }

    /** Requests every announcement in order, then lets the loader run and returns the outcomes. */
    private List<KnowledgeLoader.Outcome> load(ModelVersion... announcements) throws Exception {
        for (ModelVersion a : announcements) {
            loader.request(a);
        }
        gate.countDown();
        loader.awaitIdle(60_000);
        List<KnowledgeLoader.Outcome> outcomes = loader.drain();
        assertThat(outcomes).hasSize(announcements.length);
        return outcomes;
    }

    /** Loads each announcement by itself (none waits while another loads, so none is skipped). */
    private List<KnowledgeLoader.Outcome> loadEach(ModelVersion... announcements) throws Exception {
        gate.countDown();
        for (ModelVersion a : announcements) {
            loader.request(a);
            loader.awaitIdle(60_000);
        }
        List<KnowledgeLoader.Outcome> outcomes = loader.drain();
        assertThat(outcomes).hasSize(announcements.length);
        return outcomes;
    }

    @Test
    void anAnnouncementOfAnotherKindIsRefusedAndNothingIsAppliedUntilTheTrainerSaysSo() throws Exception {
        ModelVersion mem = publish();
        ModelVersion tpm = ModelVersion.newBuilder(mem).setModelKind(ModelKind.TPM).build();

        assertThatThrownBy(() -> loader.request(tpm)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MEM loader got a TPM announcement");
        // Loading is not applying: only the trainer, having assigned the weights, moves the applied version.
        assertThat(load(mem)).singleElement().satisfies(o -> assertThat(o.accepted()).isTrue());
        assertThat(loader.appliedVersion()).isEqualTo(-1);
        loader.applied(mem.getVersion());
        assertThat(loader.kind()).isEqualTo(ModelKind.MEM);
        assertThat(loader.appliedVersion()).isEqualTo(mem.getVersion());
    }

    @Test
    void aSnapshotOutsideTheStoreIsRejected() throws Exception {
        ModelVersion genuine = publish();
        Path elsewhere = dir.resolve("elsewhere").resolve("mem").resolve("v" + genuine.getVersion());
        ModelVersion copied = Forgery.copy(genuine, elsewhere, genuine.getVersion());
        String storePath = store.root().resolve("mem").resolve("v" + genuine.getVersion()).toString();
        ModelVersion climbing = ModelVersion.newBuilder(copied)
                .setUri(storePath + "/../../../elsewhere/mem/v" + genuine.getVersion()).build();
        ModelVersion plainPath = ModelVersion.newBuilder(copied).setUri(elsewhere.toString()).build();

        List<KnowledgeLoader.Outcome> outcomes = loadEach(copied, climbing, plainPath, genuine);

        for (KnowledgeLoader.Outcome o : outcomes.subList(0, 3)) {
            assertThat(o.accepted()).as(o.announcement().getUri()).isFalse();
            assertThat(o.rejection()).contains(storePath).contains("snapshot.dir");
        }
        assertThat(outcomes.get(3).accepted()).isTrue();
    }

    @Test
    void aManifestEntryOutsideTheSnapshotIsRejected() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "not part of any snapshot");
        ModelVersion genuine = publish();
        // <store>/mem/v0/../../../secret.txt is the secret next to the store.
        ModelVersion forged = Forgery.listFile(genuine, "../../../secret.txt", SnapshotStore.sha256(secret));

        KnowledgeLoader.Outcome outcome = loadEach(forged).get(0);

        assertThat(outcome.accepted()).isFalse();
        assertThat(outcome.rejection()).contains("../../../secret.txt").contains("outside the snapshot");
    }

    @Test
    void nonFiniteWeightsAreRejected() throws Exception {
        ModelVersion nan = publishWith(Float.NaN);
        ModelVersion infinite = publishWith(Float.NEGATIVE_INFINITY);
        ModelVersion healthy = publish();

        List<KnowledgeLoader.Outcome> outcomes = loadEach(nan, infinite, healthy);

        assertThat(outcomes.get(0).accepted()).isFalse();
        assertThat(outcomes.get(0).rejection()).contains("NaN");
        assertThat(outcomes.get(1).accepted()).isFalse();
        assertThat(outcomes.get(1).rejection()).contains("-Infinity");
        assertThat(outcomes.get(2).accepted()).isTrue();
    }

    @Test
    void anInventedVersionIsRejectedAndCannotMakeTheLoaderSkipAGenuineOne() throws Exception {
        ModelVersion v0 = publish();
        // Announced while v0 waits: a consistent copy outside the store, and v0 itself under another number.
        ModelVersion copied = Forgery.copy(v0, dir.resolve("elsewhere").resolve("v" + Long.MAX_VALUE),
                Long.MAX_VALUE);
        ModelVersion renumbered = ModelVersion.newBuilder(v0).setVersion(Long.MAX_VALUE - 1).build();

        List<KnowledgeLoader.Outcome> outcomes = load(v0, copied, renumbered);

        assertThat(outcomes.get(0).announcement()).isEqualTo(v0);
        assertThat(outcomes.get(0).accepted()).as("v0 was skipped or rejected: %s", outcomes.get(0).rejection())
                .isTrue();
        assertThat(outcomes.get(1).accepted()).isFalse();
        assertThat(outcomes.get(2).accepted()).isFalse();
        assertThat(outcomes.get(2).rejection()).contains("v" + (Long.MAX_VALUE - 1));

        // The next genuine version is loaded as if the inventions had never been announced.
        ModelVersion v1 = publish();
        loader.request(v1);
        loader.awaitIdle(60_000);
        assertThat(loader.drain()).singleElement().satisfies(o -> assertThat(o.accepted()).isTrue());
    }

    @Test
    void versionsOvertakenWhileTheyWaitAreSkippedForTheNewest() throws Exception {
        ModelVersion v0 = publish();
        ModelVersion v1 = publish();
        ModelVersion v2 = publish();

        List<KnowledgeLoader.Outcome> outcomes = load(v0, v1, v2);

        assertThat(outcomes).extracting(o -> o.announcement().getVersion())
                .containsExactly(v0.getVersion(), v1.getVersion(), v2.getVersion());
        assertThat(outcomes.get(0).skipped()).isTrue();
        assertThat(outcomes.get(1).skipped()).isTrue();
        assertThat(outcomes.get(2).accepted()).isTrue();
    }

    @Test
    void aLowerVersionAnnouncedLaterDoesNotSkipTheOneBeforeIt() throws Exception {
        ModelVersion v0 = publish();
        ModelVersion v1 = publish();

        List<KnowledgeLoader.Outcome> outcomes = load(v1, v0);

        assertThat(outcomes.get(0).announcement()).isEqualTo(v1);
        assertThat(outcomes.get(0).accepted()).as("v1 was skipped or rejected: %s", outcomes.get(0).rejection())
                .isTrue();
        // Nothing newer waited behind v0 either: it is loaded, and the trainer, which uses v1, ignores it.
        assertThat(outcomes.get(1).announcement()).isEqualTo(v0);
        assertThat(outcomes.get(1).accepted()).isTrue();
    }

    @Test
    void aVersionLoadedBeforeTheNextIsAnnouncedIsNotSkipped() throws Exception {
        ModelVersion v0 = publish();
        ModelVersion v1 = publish();

        List<KnowledgeLoader.Outcome> outcomes = loadEach(v0, v1);

        assertThat(outcomes).allSatisfy(o -> assertThat(o.accepted()).as("%s", o).isTrue());
    }
}

package dev.transflow.train;

import dev.transflow.join.Samples;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.replay.ImpressionMapping;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.ProductImpression;
import dev.transflow.simulate.EventSink;
import dev.transflow.simulate.SimulatedImpression;
import dev.transflow.simulate.Simulator;
import dev.transflow.simulate.World;
import dev.transflow.simulate.WorldPreset;
import dev.transflow.snapshot.SnapshotOptions;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The MEM trainer in Flink's operator harness: what a publication that fails, or a domain that stalls, does to it. */
class MemTrainerTest {

    private static final FeatureSchema SCHEMA = FeatureSchema.infer(World.SOURCE_LAYOUT, World.TARGET_LAYOUT,
            1 << 12, 500);
    /** Samples of both domains in simulation order. */
    private static final List<LabeledSample> SAMPLES = new ArrayList<>();

    @BeforeAll
    static void samples() {
        Simulator simulator = new Simulator(WorldPreset.DEFAULT.configuration(), 3);
        simulator.run(1_500, new EventSink() {
            @Override
            public void accept(SimulatedImpression imp) {
                InteractionRow row = simulator.world().row(imp);
                var impression = ImpressionMapping.impression(imp.entityType(), row, "i" + imp.sequence(), "test");
                LabeledSample unlabeled = impression instanceof PostImpression post ? Samples.of(post)
                        : Samples.of((ProductImpression) impression);
                SAMPLES.add(LabeledSample.newBuilder(unlabeled).setLabel(row.label())
                        .setLabelTime(imp.time()).build());
            }

            @Override
            public void finish() {}

            @Override
            public void close() {}
        }, () -> false);
        assertThat(SAMPLES).hasSizeGreaterThanOrEqualTo(512);
    }

    @TempDir
    Path dir;

    private static void feed(OneInputStreamOperatorTestHarness<LabeledSample, ModelVersion> h, int from, int to)
            throws Exception {
        for (int i = from; i < to; i++) {
            h.processElement(SAMPLES.get(i), SAMPLES.get(i).getImpressionTime());
        }
    }

    @Test
    void aFailedPublicationIsCountedTrainingGoesOnAndTheNextOnePublishes() throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        Path blocker = Files.writeString(store.resolve("mem"), "not a directory");
        Configuration config = new Configuration();
        config.set(TrainerOptions.BATCH_SIZE, 64);
        config.set(TrainerOptions.METRIC_WINDOW, 100);
        config.set(SnapshotOptions.DIR, store.toString());
        config.set(MemOptions.PUBLISH_EVERY_SAMPLES, 64L); // a publication after every step
        config.set(MemOptions.PUBLISH_INTERVAL, Duration.ofHours(1));
        MemTrainer trainer = new MemTrainer(SCHEMA, config);
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(trainer))) {
            h.open();
            feed(h, 0, 256);
            assertThat(trainer.publishFailures()).isPositive();
            long failures = trainer.publishFailures();
            assertThat(trainer.trainedSamples()).isGreaterThanOrEqualTo(192);
            assertThat(h.extractOutputValues()).isEmpty();

            Files.delete(blocker);
            feed(h, 256, 512);
            assertThat(h.extractOutputValues()).isNotEmpty()
                    .allSatisfy(v -> assertThat(v.getUri()).startsWith(store.toUri().toString()));
            assertThat(trainer.lastVersion()).isGreaterThanOrEqualTo(0);
            assertThat(trainer.publishFailures()).isEqualTo(failures);
            assertThat(trainer.trainedSamples()).isGreaterThanOrEqualTo(448);
        }
    }

    private Configuration stallConfig() {
        Configuration config = new Configuration();
        config.set(TrainerOptions.BATCH_SIZE, 64);
        config.set(MemOptions.MAX_BUFFERED, 256);
        config.set(TrainerOptions.METRIC_WINDOW, 100);
        config.set(SnapshotOptions.DIR, dir.resolve("store").toString());
        config.set(MemOptions.PUBLISH_EVERY_SAMPLES, 1_000_000L);
        config.set(MemOptions.PUBLISH_INTERVAL, Duration.ofHours(1));
        return config;
    }

    @Test
    void whileOneDomainStallsTheBufferStaysBoundedAndEverySampleIsTrained() throws Exception {
        List<LabeledSample> products = SAMPLES.stream().filter(x -> x.getDomain() == Domain.SOURCE).toList();
        List<LabeledSample> posts = SAMPLES.stream().filter(x -> x.getDomain() == Domain.TARGET).toList();
        assertThat(products).hasSizeGreaterThanOrEqualTo(1_000);
        MemTrainer trainer = new MemTrainer(SCHEMA, stallConfig());
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(trainer))) {
            h.open();
            long fed = 0;
            // Both domains flow, then posts stall while products go on, then posts come back.
            List<List<LabeledSample>> phases = List.of(SAMPLES.subList(0, 200), products.subList(200, 1_000),
                    posts.subList(100, posts.size()));
            for (List<LabeledSample> phase : phases) {
                for (LabeledSample sample : phase) {
                    h.processElement(sample, sample.getImpressionTime());
                    fed++;
                    assertThat(trainer.buffered()).as("buffered after %d samples", fed).isLessThanOrEqualTo(256);
                    // Nothing is dropped: every sample fed is trained or still waits.
                    assertThat(trainer.trainedSamples() + trainer.buffered()).isEqualTo(fed);
                }
            }
            assertThat(trainer.singleDomainSamples()).as("products trained alone during the stall")
                    .isGreaterThanOrEqualTo(3 * 256);
            assertThat(trainer.trainedSamples()).isGreaterThan(fed - 256);

            // The bounded buffer is what a checkpoint holds, and a restored trainer goes on from it.
            var snapshot = h.snapshot(1, 1);
            int waiting = trainer.buffered();
            MemTrainer restored = new MemTrainer(SCHEMA, stallConfig());
            try (var r = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(restored))) {
                r.initializeState(snapshot);
                r.open();
                assertThat(restored.buffered()).isEqualTo(waiting);
                assertThat(restored.trainedSamples() + restored.buffered()).isEqualTo(fed);
            }
        }
    }

    @Test
    void aCheckpointWithTheOldPositionArrayIsReadOnceAndThenOnlyTheNamedStateIsWritten() throws Exception {
        Configuration config = stallConfig();
        config.set(MemOptions.PUBLISH_EVERY_SAMPLES, 64L);
        MemTrainer trainer = new MemTrainer(SCHEMA, config);
        OperatorSubtaskState checkpoint;
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(trainer))) {
            // Trained samples, last published version, samples since that publication.
            h.initializeState(LegacyCheckpoints.withPosition(1_000, 4, 10));
            h.open();
            assertThat(trainer.trainedSamples()).isEqualTo(1_000);
            assertThat(trainer.lastVersion()).isEqualTo(4);

            for (int i = 0; h.extractOutputValues().isEmpty(); i++) {
                feed(h, i, i + 1);
            }
            // The first version published after the restore follows the restored one (the store is empty).
            assertThat(h.extractOutputValues()).singleElement()
                    .satisfies(v -> assertThat(v.getVersion()).isEqualTo(5));
            assertThat(trainer.trainedSamples()).isGreaterThan(1_000);
            checkpoint = h.snapshot(2, 2);
        }

        LegacyCheckpoints.Contents contents = LegacyCheckpoints.read(checkpoint);
        assertThat(contents.legacy()).as("the old array after its conversion").isEmpty();
        assertThat(contents.progress()).singleElement().satisfies(p -> {
            assertThat(p.trainedSamples).isEqualTo(trainer.trainedSamples());
            assertThat(p.publishedVersion).isEqualTo(5);
            assertThat(p.samplesSincePublish).isZero();
        });
    }

    @Test
    void aBufferSmallerThanABatchIsRejectedByName() {
        Configuration config = stallConfig();
        config.set(MemOptions.MAX_BUFFERED, 32);

        assertThatThrownBy(() -> new MemTrainer(SCHEMA, config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(MemOptions.MAX_BUFFERED.key())
                .hasMessageContaining(TrainerOptions.BATCH_SIZE.key());
    }
}

package dev.transflow.train;

import dev.transflow.join.Samples;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.replay.ImpressionMapping;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.ProductImpression;
import dev.transflow.simulate.EventSink;
import dev.transflow.simulate.SimulatedImpression;
import dev.transflow.simulate.Simulator;
import dev.transflow.simulate.World;
import dev.transflow.simulate.WorldPreset;

import org.apache.flink.configuration.Configuration;
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

/** The MEM trainer in Flink's operator harness: what a publication that fails does to it. */
class MemTrainerTest {

    private static final FeatureSchema SCHEMA = FeatureSchema.infer(World.SOURCE_LAYOUT, World.TARGET_LAYOUT,
            1 << 12, 500);
    /** Samples of both domains in simulation order. */
    private static final List<LabeledSample> SAMPLES = new ArrayList<>();

    @BeforeAll
    static void samples() {
        Simulator simulator = new Simulator(WorldPreset.DEFAULT.configuration(), 3);
        simulator.run(600, new EventSink() {
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
        config.set(TrainerOptions.SNAPSHOT_DIR, store.toString());
        config.set(TrainerOptions.MEM_PUBLISH_SAMPLES, 64L); // a publication after every step
        config.set(TrainerOptions.MEM_PUBLISH_INTERVAL, Duration.ofHours(1));
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
}

package dev.transflow.train;

import dev.transflow.join.Samples;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.replay.ImpressionMapping;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.Prediction;
import dev.transflow.simulate.EventSink;
import dev.transflow.simulate.SimulatedImpression;
import dev.transflow.simulate.Simulator;
import dev.transflow.simulate.World;
import dev.transflow.simulate.WorldPreset;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PrequentialTrainerTest {

    private static final FeatureSchema SCHEMA = FeatureSchema.infer(World.SOURCE_LAYOUT, World.TARGET_LAYOUT,
            1 << 14, 1_000);
    private static final List<LabeledSample> SAMPLES = new ArrayList<>();

    @BeforeAll
    static void targetSamples() {
        Simulator simulator = new Simulator(WorldPreset.DEFAULT.configuration(), 8);
        simulator.run(2_400, new EventSink() {
            @Override
            public void accept(SimulatedImpression imp) {
                if (imp.entityType() == EntityType.POST) {
                    InteractionRow row = simulator.world().row(imp);
                    PostImpression post = (PostImpression) ImpressionMapping.impression(EntityType.POST, row,
                            "i" + imp.sequence(), "test");
                    SAMPLES.add(LabeledSample.newBuilder(Samples.of(post)).setLabel(row.label())
                            .setLabelTime(imp.time()).build());
                }
            }

            @Override
            public void finish() {}

            @Override
            public void close() {}
        }, () -> false);
        assertThat(SAMPLES.size()).isGreaterThan(500);
    }

    private static OneInputStreamOperatorTestHarness<LabeledSample, Prediction> harness(OperatorSubtaskState restore)
            throws Exception {
        OneInputStreamOperatorTestHarness<LabeledSample, Prediction> harness = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new PrequentialTrainer(SCHEMA, "mlp", 64, 1, 100)));
        harness.setup();
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
        return harness;
    }

    private static void feed(OneInputStreamOperatorTestHarness<LabeledSample, Prediction> h, int from, int to)
            throws Exception {
        for (int i = from; i < to; i++) {
            h.processElement(SAMPLES.get(i), SAMPLES.get(i).getImpressionTime());
        }
    }

    @Test
    void everySampleOfAFullBatchIsScoredBeforeTraining() throws Exception {
        try (var h = harness(null)) {
            feed(h, 0, 330);

            List<Prediction> predictions = h.extractOutputValues();
            assertThat(predictions).hasSize(320); // 5 full batches of 64; 10 samples wait for the next
            assertThat(predictions).extracting(Prediction::getImpressionId)
                    .containsExactlyElementsOf(SAMPLES.subList(0, 320).stream().map(LabeledSample::getImpressionId)
                            .toList());
            assertThat(predictions).allSatisfy(p -> assertThat(p.getScore()).isBetween(0.0, 1.0));
            // Each batch is scored by the model trained on the batches before it.
            assertThat(predictions.get(0).getModelVersion()).isZero();
            assertThat(predictions.get(319).getModelVersion()).isEqualTo(4);
            assertThat(predictions.get(0).getScore()).isNotEqualTo(predictions.get(319).getScore());
        }
    }

    @Test
    void restoreContinuesExactlyWhereTheCheckpointWas() throws Exception {
        OperatorSubtaskState checkpoint;
        List<Prediction> uninterrupted;
        try (var h = harness(null)) {
            feed(h, 0, 200); // 3 batches trained, 8 samples buffered
            checkpoint = h.snapshot(1, 1);
            h.extractOutputValues();
            int before = h.extractOutputValues().size();
            feed(h, 200, 500);
            uninterrupted = h.extractOutputValues().subList(before, h.extractOutputValues().size());
        }

        List<Prediction> restored;
        try (var h = harness(checkpoint)) {
            feed(h, 200, 500);
            restored = h.extractOutputValues();
        }

        // The 8 buffered samples survive the restart: the same samples are scored, by the same model.
        assertThat(restored).extracting(Prediction::getImpressionId)
                .containsExactlyElementsOf(uninterrupted.stream().map(Prediction::getImpressionId).toList());
        assertThat(restored).hasSize(uninterrupted.size());
        assertThat(restored.get(0).getImpressionId()).isEqualTo(SAMPLES.get(192).getImpressionId());
        // The first batch after the restore is scored by the restored weights: bit for bit the same.
        for (int i = 0; i < 64; i++) {
            assertThat(restored.get(i).getScore()).isEqualTo(uninterrupted.get(i).getScore());
        }
        // Later batches follow further training steps. TensorFlow's CPU kernels are not bit-reproducible (two fresh
        // runs on the same data drift apart by up to 3e-5 within 7 steps; measured), so only closeness holds.
        for (int i = 64; i < restored.size(); i++) {
            assertThat(restored.get(i).getScore()).isCloseTo(uninterrupted.get(i).getScore(), within(5e-3));
        }
    }
}

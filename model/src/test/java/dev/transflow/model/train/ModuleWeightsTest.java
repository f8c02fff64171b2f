package dev.transflow.model.train;

import dev.transflow.model.TinyWorld;
import dev.transflow.model.baseline.TargetOnlyModel;
import dev.transflow.model.nn.Backbone;
import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.mkt.MktModel;
import dev.transflow.model.mkt.MultiEntityModel;
import dev.transflow.model.mkt.TargetEntityModel;
import dev.transflow.model.nn.Net;
import dev.transflow.model.registry.ModelRegistry;
import dev.transflow.model.snapshot.SnapshotException;
import dev.transflow.model.snapshot.SnapshotStore;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.ModelKind;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A continual MEM trainer's snapshot swapped into a target model that keeps its own weights. */
class ModuleWeightsTest {

    private static SampleEncoder encoder;
    private static EncodedSamples source;
    private static EncodedSamples target;
    private static final ModelConfig CONFIG = ModelConfig.defaults().withBatchSize(256);

    @BeforeAll
    static void data() {
        TinyWorld world = new TinyWorld(3_000, 1_500, 5);
        encoder = new SampleEncoder(TinyWorld.schema());
        Map<Domain, EncodedSamples> encoded = encoder.encode(world.source, world.target);
        source = encoded.get(Domain.SOURCE);
        target = encoded.get(Domain.TARGET);
    }

    private static Map<String, float[]> group(GraphModel model, String group) {
        Map<String, float[]> out = new HashMap<>();
        for (Net.Param p : model.net().params()) {
            if (p.group().equals(group)) {
                out.put(p.name(), model.values(p));
            }
        }
        return out;
    }

    @Test
    void memWeightsSwapIntoTheTargetModelAndTemWeightsStay(@TempDir Path dir) {
        SnapshotStore store = new SnapshotStore(dir);
        try (MktModel mem = (MktModel) ModelRegistry.pretrainer("mkt", ModelKind.MEM, encoder, CONFIG, 1);
                MktModel tem = new MktModel("mkt", encoder, CONFIG, 2, MktModel.Settings.FULL)) {
            for (int s = 0, t = 0; s + 256 <= source.rows && t + 64 <= target.rows; s += 256, t += 64) {
                mem.trainMem(source, s, s + 256, target, t, t + 64);
            }
            SnapshotStore.Snapshot snapshot = mem.publish(store, ModelKind.MEM, 0, Map.of(), false);
            tem.trainTarget(target, 0, 512);
            Map<String, float[]> temBefore = group(tem, TargetEntityModel.GROUP);
            float[] scoresBefore = tem.predict(target, 0, 200);

            ModuleWeights weights = tem.readGroup(snapshot, MultiEntityModel.GROUP);
            tem.assign(weights);

            Map<String, float[]> expected = group(mem, MultiEntityModel.GROUP);
            Map<String, float[]> actual = group(tem, MultiEntityModel.GROUP);
            assertThat(actual.keySet()).isEqualTo(expected.keySet());
            expected.forEach((name, values) -> assertThat(actual.get(name)).as(name).containsExactly(values));
            Map<String, float[]> temAfter = group(tem, TargetEntityModel.GROUP);
            temBefore.forEach((name, values) -> assertThat(temAfter.get(name)).as(name).containsExactly(values));
            // The gates now read other knowledge, so the scores move.
            assertThat(tem.predict(target, 0, 200)).isNotEqualTo(scoresBefore);
            assertThat(weights.size()).isPositive();
        }
    }

    @Test
    void aSnapshotOfAnotherStructureIsRejectedByName(@TempDir Path dir) {
        SnapshotStore store = new SnapshotStore(dir);
        try (TargetOnlyModel mlp = new TargetOnlyModel("din", encoder, CONFIG, 1, Backbone.Spec.FULL, false);
                MktModel tem = new MktModel("mkt", encoder, CONFIG, 2, MktModel.Settings.FULL)) {
            SnapshotStore.Snapshot snapshot = mlp.publish(store, ModelKind.MEM, 0, Map.of(), false);
            assertThatThrownBy(() -> tem.readGroup(snapshot, MultiEntityModel.GROUP))
                    .isInstanceOf(SnapshotException.class)
                    .hasMessageContaining("Cannot read the mem weights");
        }
    }
}

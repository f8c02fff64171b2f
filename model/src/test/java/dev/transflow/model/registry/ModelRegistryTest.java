package dev.transflow.model.registry;

import dev.transflow.model.TinyWorld;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.mkt.MktModel;
import dev.transflow.model.mkt.MultiEntityModel;
import dev.transflow.model.train.CtrModel;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.model.train.PretrainingModel;
import dev.transflow.model.train.StreamingModel;
import dev.transflow.schemas.ModelKind;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelRegistryTest {

    @Test
    void namesAndListsAreTheEvaluateOnes() {
        assertThat(ModelRegistry.ALL).containsExactly("lr", "mlp", "deepfm", "din", "shared-bottom", "mmoe",
                "finetune", "mkt", "mkt-no-hfa", "mkt-no-pdl", "mkt-no-tem");
        assertThat(ModelRegistry.DEFAULT).isEqualTo(ModelRegistry.ALL.subList(0, 10));
        assertThat(ModelRegistry.WITH_MEM).containsExactly("mkt", "mkt-no-hfa", "mkt-no-pdl");
        assertThat(ModelRegistry.spec("mkt").consumes()).contains(ModelKind.MEM);
        assertThat(ModelRegistry.spec("mkt-no-tem").consumes()).isEmpty();
        assertThat(ModelRegistry.spec("lr").consumes()).isEmpty();
        assertThat(ModelRegistry.consumersOf(ModelKind.TPM)).isEmpty();
        for (ModelSpec spec : ModelRegistry.specs()) {
            assertThat(spec.description()).as(spec.name()).isNotBlank();
            assertThat(spec.options()).as(spec.name()).containsAll(ModelOptions.TRAINING);
        }
    }

    @Test
    void unknownNamesAreRejectedWithTheClosestOne() {
        assertThatThrownBy(() -> ModelRegistry.spec("mtk")).hasMessageContaining("Unknown model 'mtk'")
                .hasMessageContaining("did you mean 'mkt'");
        SampleEncoder encoder = new SampleEncoder(TinyWorld.schema());
        assertThatThrownBy(() -> ModelRegistry.pretrainer("din", ModelKind.MEM, encoder, ModelConfig.defaults(), 1))
                .hasMessageContaining("reads no MEM knowledge").hasMessageContaining("[mkt, mkt-no-hfa, mkt-no-pdl]");
    }

    @Test
    void modelsAreBuiltByNameAndMemTrainersShareTheirGraph() {
        SampleEncoder encoder = new SampleEncoder(TinyWorld.schema());
        ModelConfig config = ModelConfig.defaults().withBatchSize(64);
        for (String name : List.of("lr", "mmoe", "mkt-no-tem")) {
            try (CtrModel model = ModelRegistry.create(name, encoder, config, 1)) {
                assertThat(model.name()).isEqualTo(name);
            }
        }
        try (MktModel mem = (MktModel) ModelRegistry.pretrainer("mkt-no-pdl", ModelKind.MEM, encoder, config, 1)) {
            assertThat(mem.name()).isEqualTo("mkt-no-pdl");
        }
    }

    @Test
    void modelsDeclareTheKnowledgeTheirSpecsConsume() {
        SampleEncoder encoder = new SampleEncoder(TinyWorld.schema());
        ModelConfig config = ModelConfig.defaults().withBatchSize(64);
        try (StreamingModel mkt = ModelRegistry.create("mkt", encoder, config, 1);
                StreamingModel memOnly = ModelRegistry.create("mkt-no-tem", encoder, config, 1);
                StreamingModel lr = ModelRegistry.create("lr", encoder, config, 1);
                PretrainingModel mem = ModelRegistry.pretrainer("mkt", ModelKind.MEM, encoder, config, 1)) {
            assertThat(mkt.consumes()).containsExactly(new StreamingModel.Knowledge(ModelKind.MEM,
                    MultiEntityModel.GROUP));
            assertThat(MultiEntityModel.GROUP).isEqualTo("mem");
            assertThat(memOnly.consumes()).isEmpty();
            assertThat(lr.consumes()).isEmpty();
            for (StreamingModel model : List.of(mkt, memOnly, lr)) {
                assertThat(model.consumes().stream().map(StreamingModel.Knowledge::kind).collect(Collectors.toSet()))
                        .as(model.name()).isEqualTo(ModelRegistry.spec(model.name()).consumes());
                assertThat(model.produces()).as(model.name()).isEqualTo(ModelKind.TEM);
            }
            assertThat(mem.consumes()).isEmpty();
            assertThat(mem.produces()).isEqualTo(ModelKind.MEM);
        }
    }

    @Test
    void aModelsOwnDefaultYieldsToEverySetting() {
        ModelSpec spec = ModelSpec.builder("x", "A test model.", (name, encoder, config, seed) -> null)
                .reads(ModelOptions.TRAINING).defaultValue(ModelOptions.PATIENCE, 5).build();
        assertThat(spec.defaultValue(ModelOptions.PATIENCE)).isEqualTo(5);
        assertThat(spec.defaultValue(ModelOptions.BATCH_SIZE)).isEqualTo(ModelOptions.BATCH_SIZE.defaultValue());
        assertThatThrownBy(() -> ModelSpec.builder("y", "A test model.", (name, encoder, config, seed) -> null)
                .reads(ModelOptions.TRAINING).defaultValue(ModelOptions.TEM_RESIDUAL, false).build())
                .hasMessageContaining("tem-residual, which it does not read");

        // lr refits on the whole window by default (docs/learning-quality.md, session 11); the others do not.
        assertThat(OptionValues.empty().config("lr").refit()).isTrue();
        assertThat(OptionValues.empty().get("lr", ModelOptions.REFIT)).isTrue();
        assertThat(OptionValues.empty().config("din").refit()).isFalse();
        assertThat(OptionValues.parse(java.util.Map.of("model.refit", "false")).config("lr").refit()).isFalse();
        assertThat(OptionValues.parse(java.util.Map.of("model.refit", "true")).config("din").refit()).isTrue();
        assertThat(OptionValues.parse(java.util.Map.of("model.refit", "true", "model.lr.refit", "false"))
                .get("lr", ModelOptions.REFIT)).isFalse();
    }

    @Test
    void suggestionsUseEditDistance() {
        assertThat(Suggestions.distance("dropot", "dropout")).isEqualTo(1);
        assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
        assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(Suggestions.distance("mtk", "mkt")).isEqualTo(1);
        assertThat(Suggestions.closest("batchsize", ModelOptions.keys())).isEqualTo("batch-size");
    }
}

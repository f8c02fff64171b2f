package dev.transflow.model.registry;

import dev.transflow.model.train.ModelConfig;

import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelOptionsTest {

    @Test
    void everyConfigComponentIsOneOptionWithTheSameDefault() throws Exception {
        List<String> components = new ArrayList<>();
        collect(ModelConfig.class, "", components);
        List<String> bound = ModelOptions.all().stream().map(ModelOptions::component).toList();
        assertThat(bound).containsExactlyInAnyOrderElementsOf(components);

        ModelConfig defaults = ModelConfig.defaults();
        for (ModelOption<?> option : ModelOptions.all()) {
            Object actual = read(defaults, ModelOptions.component(option));
            assertThat(actual).as(option.key()).isEqualTo(option.defaultValue());
            assertThat((Object) ModelOptions.get(defaults, option)).as(option.key()).isEqualTo(actual);
        }
    }

    @Test
    void keysAreKebabCaseAndDescribed() {
        for (ModelOption<?> option : ModelOptions.all()) {
            assertThat(option.key()).matches("[a-z][a-z0-9]*(-[a-z0-9]+)*");
            assertThat(option.description()).isNotBlank().endsWith(".");
        }
        assertThat(ModelOptions.keys()).doesNotHaveDuplicates().contains("embedding-l2", "dropout", "batch-size");
    }

    @Test
    void aModelsOwnSettingWinsOverTheSharedOne() {
        OptionValues values = OptionValues.parse(Map.of("model.dropout", "0.2", "model.mkt.dropout", "0.3",
                "model.shared-units", "64, 32", "model.mem-loss-weighting", "SAMPLES"));

        assertThat(values.config("mkt").dropout()).isEqualTo(0.3f);
        assertThat(values.config("mkt-no-hfa").dropout()).isEqualTo(0.2f);
        assertThat(values.get("mlp", ModelOptions.DROPOUT)).isEqualTo(0.2f);
        assertThat(values.setting("mkt", ModelOptions.DROPOUT)).contains(0.3f);
        assertThat(values.setting("mlp", ModelOptions.DROPOUT)).contains(0.2f);
        assertThat(values.setting("mkt", ModelOptions.BATCH_SIZE)).isEmpty();
        assertThat(values.get("mkt", ModelOptions.BATCH_SIZE)).isEqualTo(ModelOptions.BATCH_SIZE.defaultValue());
        assertThat(values.config("mkt").sharedUnits()).containsExactly(64, 32);
        assertThat(values.config("mkt").crossWidth()).isEqualTo(32);
        assertThat(values.config("lr").memLossWeighting()).isEqualTo(ModelConfig.MemLossWeighting.SAMPLES);
        assertThat(values.asMap()).containsEntry("model.mkt.dropout", "0.3")
                .containsEntry("model.shared-units", "64,32");
    }

    @Test
    void optimizerOptionsReachTheOptimizerSettings() {
        ModelConfig config = ModelRegistry.configure("din", Map.of("model.learning-rate", "0.002",
                "model.din.adam-beta2", "0.99", "model.epsilon", "1e-6"));

        assertThat(config.optimizer().denseLearningRate()).isEqualTo(0.002f);
        assertThat(config.optimizer().beta2()).isEqualTo(0.99f);
        assertThat(config.optimizer().epsilon()).isEqualTo(1e-6f);
        assertThat(config.optimizer().embeddingLearningRate()).isEqualTo(0.05f);
    }

    @Test
    void mistakesNameTheClosestValidKey() {
        assertThatThrownBy(() -> OptionValues.parse(Map.of("model.dropot", "0.3")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown model option 'model.dropot'").hasMessageContaining("'model.dropout'");
        assertThatThrownBy(() -> OptionValues.parse(Map.of("model.mkt.embeding-l2", "0")))
                .hasMessageContaining("'model.mkt.embedding-l2'");
        assertThatThrownBy(() -> OptionValues.parse(Map.of("model.mkt-no-hf.dropout", "0")))
                .hasMessageContaining("Unknown model 'mkt-no-hf'").hasMessageContaining("'model.mkt-no-hfa.dropout'");
        assertThatThrownBy(() -> OptionValues.parse(Map.of("model.mkt", "0")))
                .hasMessageContaining("names a model but no option");
        assertThatThrownBy(() -> OptionValues.parse(Map.of("dropout", "0")))
                .hasMessageContaining("must start with model.");
        assertThatThrownBy(() -> OptionValues.parse(Map.of("model.mkt.dropout.x", "0")))
                .hasMessageContaining("too many parts");
    }

    @Test
    void valuesAreCheckedByTheirOption() {
        assertThatThrownBy(() -> OptionValues.parse(Map.of("model.dropout", "1.5")))
                .hasMessage("model.dropout must be in [0, 1), got 1.5");
        assertThatThrownBy(() -> OptionValues.parse(Map.of("model.mkt.batch-size", "many")))
                .hasMessage("Cannot read 'many' as model.mkt.batch-size (int)");
        assertThatThrownBy(() -> OptionValues.parse(Map.of("model.validation-fraction", "0.5")))
                .hasMessageContaining("in [0, 0.5)");
        assertThatThrownBy(() -> OptionValues.parse(Map.of("model.tower-units", "16,4")))
                .hasMessageContaining("ending in 1");
        assertThatThrownBy(() -> OptionValues.parse(Map.of("model.tem-warm-start", "yes")))
                .hasMessageContaining("(true|false)");
        assertThatThrownBy(() -> OptionValues.parse(Map.of("model.learning-rate", "NaN")))
                .hasMessageContaining("Cannot read 'NaN'");
        assertThatThrownBy(() -> OptionValues.parse(Map.of("model.mem-loss-weighting", "rows")))
                .hasMessageContaining("(samples|domains)");
    }

    @Test
    void aModelRejectsAnOptionItDoesNotRead() {
        assertThatThrownBy(() -> OptionValues.parse(Map.of("model.lr.dropout", "0.1")))
                .hasMessageContaining("Model lr does not read dropout");
        assertThatThrownBy(() -> OptionValues.parse(Map.of("model.mkt-no-pdl.pdl-weight", "0.1")))
                .hasMessageContaining("does not read pdl-weight");
        // Shared settings apply to whichever models read them.
        assertThat(OptionValues.parse(Map.of("model.pdl-weight", "0.1")).config("lr").pdlWeight()).isEqualTo(0.1f);
    }

    private static void collect(Class<?> record, String prefix, List<String> out) {
        for (RecordComponent c : record.getRecordComponents()) {
            if (c.getType().isRecord()) {
                collect(c.getType(), prefix + c.getName() + ".", out);
            } else {
                out.add(prefix + c.getName());
            }
        }
    }

    private static Object read(Object record, String path) throws Exception {
        Object value = record;
        for (String name : path.split("\\.")) {
            value = value.getClass().getMethod(name).invoke(value);
        }
        return value;
    }
}

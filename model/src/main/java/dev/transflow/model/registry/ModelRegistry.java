package dev.transflow.model.registry;

import dev.transflow.model.baseline.JointModel;
import dev.transflow.model.baseline.LogisticRegressionModel;
import dev.transflow.model.baseline.TargetOnlyModel;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.mkt.MktModel;
import dev.transflow.model.nn.Backbone;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.model.train.PretrainingModel;
import dev.transflow.model.train.StreamingModel;
import dev.transflow.schemas.ModelKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.transflow.model.registry.ModelOptions.ALIGNED_WIDTH;
import static dev.transflow.model.registry.ModelOptions.DROPOUT;
import static dev.transflow.model.registry.ModelOptions.EXPERTS;
import static dev.transflow.model.registry.ModelOptions.REFIT;
import static dev.transflow.model.registry.ModelOptions.JOINT_EPOCHS;
import static dev.transflow.model.registry.ModelOptions.MEM_LOSS_WEIGHTING;
import static dev.transflow.model.registry.ModelOptions.PDL_WEIGHT;
import static dev.transflow.model.registry.ModelOptions.SHARED_UNITS;
import static dev.transflow.model.registry.ModelOptions.SPECIFIC_WIDTH;
import static dev.transflow.model.registry.ModelOptions.TARGET_EPOCHS;
import static dev.transflow.model.registry.ModelOptions.TARGET_START;
import static dev.transflow.model.registry.ModelOptions.TARGET_UNITS;
import static dev.transflow.model.registry.ModelOptions.TEM_RESIDUAL;
import static dev.transflow.model.registry.ModelOptions.TEM_WARM_START;
import static dev.transflow.model.registry.ModelOptions.TOWER_UNITS;
import static dev.transflow.model.registry.ModelOptions.TRAINING;

/**
 * The models Transflow trains, by name, in the order {@code transflow evaluate} reports them: single-domain models
 * first (logistic regression, plain MLP, DeepFM, DIN), then the MKT paper's comparison (joint models, Finetune,
 * MKT), ablations last.
 */
public final class ModelRegistry {

    /** What a single-domain network on target rows reads (TEM's network without knowledge). */
    private static final List<ModelOption<?>> TARGET_NETWORK = concat(TRAINING,
            List.of(TARGET_EPOCHS, TARGET_UNITS, TOWER_UNITS, SPECIFIC_WIDTH, DROPOUT));

    private static final List<ModelOption<?>> JOINT_NETWORK = concat(TRAINING,
            List.of(JOINT_EPOCHS, SHARED_UNITS, TOWER_UNITS, SPECIFIC_WIDTH, DROPOUT));

    private static final List<ModelOption<?>> MKT = concat(TRAINING, List.of(JOINT_EPOCHS, TARGET_EPOCHS,
            SHARED_UNITS, TOWER_UNITS, TARGET_UNITS, EXPERTS, ALIGNED_WIDTH, SPECIFIC_WIDTH, PDL_WEIGHT, DROPOUT,
            TEM_WARM_START, TEM_RESIDUAL, MEM_LOSS_WEIGHTING));

    private static final List<ModelSpec> SPECS = List.of(
            ModelSpec.builder("lr", "Logistic regression on the hashed features.", LogisticRegressionModel::new)
                    .reads(TRAINING).reads(TARGET_EPOCHS).defaultValue(REFIT, true).build(),
            ModelSpec.builder("mlp", "Plain embeddings + MLP on target rows.",
                    targetOnly(Backbone.Spec.PLAIN, false)).reads(TARGET_NETWORK).build(),
            ModelSpec.builder("deepfm", "DeepFM on target rows.", targetOnly(Backbone.Spec.DEEPFM, false))
                    .reads(TARGET_NETWORK).reads(TARGET_START).build(),
            ModelSpec.builder("din", "Target attention, wide term and user x item cross on target rows: TEM's "
                    + "network without knowledge.", targetOnly(Backbone.Spec.FULL, false))
                    .reads(TARGET_NETWORK).reads(TARGET_START).build(),
            ModelSpec.builder("shared-bottom", "Joint model: a shared bottom, one tower per domain.",
                    joint(JointModel.Kind.SHARED_BOTTOM)).reads(JOINT_NETWORK).build(),
            ModelSpec.builder("mmoe", "Joint model: multi-gate mixture of experts, one tower per domain.",
                    joint(JointModel.Kind.MMOE)).reads(JOINT_NETWORK).reads(EXPERTS).build(),
            ModelSpec.builder("finetune", "din pre-trained on source rows, then trained on target rows.",
                    targetOnly(Backbone.Spec.FULL, true)).reads(TARGET_NETWORK).reads(JOINT_EPOCHS).build(),
            mkt("mkt", "MKT: MEM on both domains, frozen, then TEM on target rows with MEM's knowledge.",
                    MktModel.Settings.FULL).build(),
            mkt("mkt-no-hfa", "MKT without heterogeneous feature alignment.", MktModel.Settings.NO_HFA).build(),
            mkt("mkt-no-pdl", "MKT without the polarized distribution loss.", MktModel.Settings.NO_PDL)
                    .ignores(PDL_WEIGHT).build(),
            // MEM's own target tower predicts: no TEM stage, and no MEM knowledge read from another job.
            ModelSpec.builder("mkt-no-tem", "MKT without TEM: MEM's own target tower predicts.",
                    mktModel(MktModel.Settings.NO_TEM)).reads(MKT)
                    .ignores(TEM_WARM_START, TEM_RESIDUAL, TARGET_EPOCHS)
                    .notByDefault().build());

    /** Every model name, in report order. */
    public static final List<String> ALL = SPECS.stream().map(ModelSpec::name).toList();

    /** What {@code transflow evaluate} compares unless told otherwise: everything but the w/o-TEM ablation. */
    public static final List<String> DEFAULT = SPECS.stream().filter(ModelSpec::byDefault).map(ModelSpec::name)
            .toList();

    /** Target models that read frozen MEM knowledge, so a MEM trainer publishes snapshots for them. */
    public static final List<String> WITH_MEM = consumersOf(ModelKind.MEM);

    private ModelRegistry() {}

    public static List<ModelSpec> specs() {
        return SPECS;
    }

    public static Optional<ModelSpec> find(String name) {
        return SPECS.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** @throws IllegalArgumentException naming the closest registered model */
    public static ModelSpec spec(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("Unknown model '" + name
                + "' (did you mean '" + Suggestions.closest(name, ALL) + "'?); choose from " + ALL));
    }

    public static StreamingModel create(String name, SampleEncoder encoder, ModelConfig config, long seed) {
        return spec(name).create(encoder, config, seed);
    }

    /** The models that read knowledge of {@code kind}, in report order. */
    public static List<String> consumersOf(ModelKind kind) {
        return SPECS.stream().filter(s -> s.consumes().contains(kind)).map(ModelSpec::name).toList();
    }

    /**
     * The model a continual pre-training job runs to publish {@code kind} for target model {@code name}: for MEM,
     * the same MKT graph (so its MEM weights load into the target model), predicting with MEM's own target tower.
     *
     * @throws IllegalArgumentException when model {@code name} reads no knowledge of {@code kind}
     */
    public static PretrainingModel pretrainer(String name, ModelKind kind, SampleEncoder encoder, ModelConfig config,
            long seed) {
        ModelFactory<? extends PretrainingModel> producer = spec(name).producer(kind).orElseThrow(() ->
                new IllegalArgumentException("Model '" + name + "' reads no " + kind + " knowledge; " + kind
                        + " is trained for " + consumersOf(kind)));
        return producer.create(name, encoder, config, seed);
    }

    /**
     * The hyper-parameters of {@code model} under {@code settings} ({@code model.<option>} for every model,
     * {@code model.<model>.<option>} for one, which wins): the one entry point for the streaming jobs.
     *
     * @throws IllegalArgumentException for an unknown model, option or value, naming the closest valid key
     */
    public static ModelConfig configure(String model, Map<String, String> settings) {
        return OptionValues.parse(settings).config(model);
    }

    private static ModelFactory<TargetOnlyModel> targetOnly(Backbone.Spec backbone, boolean pretrainOnSource) {
        return (name, encoder, config, seed) -> new TargetOnlyModel(name, encoder, config, seed, backbone,
                pretrainOnSource);
    }

    private static ModelFactory<JointModel> joint(JointModel.Kind kind) {
        return (name, encoder, config, seed) -> new JointModel(name, kind, encoder, config, seed);
    }

    private static ModelFactory<MktModel> mktModel(MktModel.Settings settings) {
        return (name, encoder, config, seed) -> new MktModel(name, encoder, config, seed, settings);
    }

    private static ModelSpec.Builder mkt(String name, String description, MktModel.Settings settings) {
        return ModelSpec.builder(name, description, mktModel(settings)).reads(MKT)
                .consumes(ModelKind.MEM, (trainer, encoder, config, seed) -> MktModel.memTrainer(trainer, encoder,
                        config, seed, settings));
    }

    private static List<ModelOption<?>> concat(List<ModelOption<?>> a, List<ModelOption<?>> b) {
        List<ModelOption<?>> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}

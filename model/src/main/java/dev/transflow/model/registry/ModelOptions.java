package dev.transflow.model.registry;

import dev.transflow.model.train.ModelConfig;
import dev.transflow.model.train.ModelConfig.MemLossWeighting;
import dev.transflow.model.train.ModelConfig.TargetStart;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

import static dev.transflow.model.registry.ModelOption.booleanOption;
import static dev.transflow.model.registry.ModelOption.doubleOption;
import static dev.transflow.model.registry.ModelOption.enumOption;
import static dev.transflow.model.registry.ModelOption.floatOption;
import static dev.transflow.model.registry.ModelOption.intListOption;
import static dev.transflow.model.registry.ModelOption.intOption;
import static dev.transflow.model.registry.OptionValidator.gt;
import static dev.transflow.model.registry.OptionValidator.gtEq;
import static dev.transflow.model.registry.OptionValidator.inRange;
import static dev.transflow.model.registry.OptionValidator.layersEndingInOne;
import static dev.transflow.model.registry.OptionValidator.positiveLayers;

/**
 * Every hyper-parameter of {@link ModelConfig} as a typed option, and how each one reads and sets its component.
 * The defaults are {@link ModelConfig#defaults()}'s (a test holds them together).
 */
public final class ModelOptions {

    // Network sizes.

    public static final ModelOption<int[]> SHARED_UNITS = intListOption("shared-units", new int[] {128, 64},
            "Layers of the shared networks: MEM's extractors and the joint models' bottom; the last is the width of "
                    + "MEM's common knowledge.", positiveLayers());

    public static final ModelOption<int[]> TOWER_UNITS = intListOption("tower-units", new int[] {16, 1},
            "Layers of each domain's click tower on top of the shared layers; TEM's output layers are as many of "
                    + "the last target-units.", layersEndingInOne());

    public static final ModelOption<int[]> TARGET_UNITS = intListOption("target-units", new int[] {128, 64, 16, 1},
            "Layers of the target network (TEM and the single-domain models).", layersEndingInOne());

    public static final ModelOption<Integer> EXPERTS = intOption("experts", 3,
            "Experts of MMoE and of MEM's common knowledge extractor.", gtEq(1));

    public static final ModelOption<Integer> ALIGNED_WIDTH = intOption("aligned-width", 16,
            "Width MKT's heterogeneous feature alignment maps each domain's specific features to.", gtEq(1));

    public static final ModelOption<Integer> SPECIFIC_WIDTH = intOption("specific-width", 16,
            "Width each domain's specific features are projected to.", gtEq(1));

    // Losses and regularization.

    public static final ModelOption<Float> PDL_WEIGHT = floatOption("pdl-weight", 0.01f,
            "Weight gamma of MKT's polarized distribution loss.", gtEq(0));

    public static final ModelOption<MemLossWeighting> MEM_LOSS_WEIGHTING = enumOption("mem-loss-weighting",
            MemLossWeighting.class, MemLossWeighting.DOMAINS,
            "How MEM weighs its domains' click losses: samples (one mean over the mixed batch, MKT eq. 11) or "
                    + "domains (each domain's mean, summed).");

    public static final ModelOption<TargetStart> TARGET_START = enumOption("target-start", TargetStart.class,
            TargetStart.BEST, "Where the target stage of deepfm and din starts: scratch (the initial weights), wide "
                    + "(the network's own logistic regression fitted first, the deep output at zero) or best (both, "
                    + "keeping the one that validates better; twice the training time).");

    public static final ModelOption<Float> EMBEDDING_L2 = floatOption("embedding-l2", 1e-4f,
            "L2 weight on the embedding rows a batch reads.", gtEq(0));

    public static final ModelOption<Float> DENSE_L2 = floatOption("dense-l2", 0f,
            "L2 weight on dense weight matrices.", gtEq(0));

    public static final ModelOption<Float> DROPOUT = floatOption("dropout", 0f,
            "Dropout rate of hidden layers while training.", inRange(0, 1));

    // Training.

    public static final ModelOption<Integer> BATCH_SIZE = intOption("batch-size", 512, "Rows per training step.",
            gtEq(1));

    public static final ModelOption<Integer> JOINT_EPOCHS = intOption("joint-epochs", 10,
            "Most epochs of a stage with source rows: joint training, MEM and Finetune's pre-training.", gtEq(1));

    public static final ModelOption<Integer> TARGET_EPOCHS = intOption("target-epochs", 10,
            "Most epochs of a stage on target rows only.", gtEq(1));

    public static final ModelOption<Integer> PATIENCE = intOption("patience", 2,
            "Epochs without a better validation AUC before a stage stops (its best weights are kept).", gtEq(1));

    public static final ModelOption<Double> VALIDATION_FRACTION = doubleOption("validation-fraction", 0.1,
            "Last part (in time) of each stage's training rows held out to pick its epoch; 0 trains exactly the "
                    + "maximum epochs on every row.", inRange(0, 0.5));

    public static final ModelOption<Integer> VALIDATIONS_PER_EPOCH = intOption("validations-per-epoch", 1,
            "Validation checks per epoch; the kept weights may come from within an epoch; a validation slice with "
                    + "fewer than 50 clicks is checked once.", gtEq(1));

    public static final ModelOption<Boolean> TEM_WARM_START = booleanOption("tem-warm-start", false,
            "Start MKT's TEM backbone from MEM's instead of random values.");

    public static final ModelOption<Boolean> REFIT = booleanOption("refit", false,
            "After the validation slice has chosen every stage's epochs (and the target start), train again from the "
                    + "initial weights on the whole window, slice included, for those epochs (twice the training "
                    + "time). On for lr only, the one model it helped in every world measured "
                    + "(docs/learning-quality.md, session 11).");

    public static final ModelOption<Boolean> TEM_RESIDUAL = booleanOption("tem-residual", true,
            "MKT's TEM predicts a correction to MEM's frozen target logit, starting at MEM's prediction and keeping "
                    + "it unless training validates better (false: TEM predicts alone, as in the paper).");

    public static final ModelOption<Integer> THREADS = intOption("threads", 0, "TensorFlow threads; 0 = all cores.",
            gtEq(0));

    // Optimizer.

    public static final ModelOption<Float> LEARNING_RATE = floatOption("learning-rate", 1e-3f,
            "Adam learning rate of dense weights.", gt(0));

    public static final ModelOption<Float> EMBEDDING_LEARNING_RATE = floatOption("embedding-learning-rate", 0.05f,
            "AdaGrad learning rate of embedding rows.", gt(0));

    public static final ModelOption<Float> ADAM_BETA1 = floatOption("adam-beta1", 0.9f,
            "Adam's decay of the gradient mean.", inRange(0, 1));

    public static final ModelOption<Float> ADAM_BETA2 = floatOption("adam-beta2", 0.999f,
            "Adam's decay of the squared gradient mean.", inRange(0, 1));

    public static final ModelOption<Float> EPSILON = floatOption("epsilon", 1e-7f,
            "Adam's and AdaGrad's denominator constant.", gt(0));

    public static final ModelOption<Float> ADAGRAD_INITIAL_ACCUMULATOR = floatOption("adagrad-initial-accumulator",
            0.1f, "AdaGrad's starting sum of squared embedding gradients.", gt(0));

    /** What every graph model reads: batching, early stopping, the optimizer and its regularization. */
    public static final List<ModelOption<?>> TRAINING = List.of(BATCH_SIZE, PATIENCE, VALIDATION_FRACTION, REFIT,
            VALIDATIONS_PER_EPOCH, THREADS, LEARNING_RATE, EMBEDDING_LEARNING_RATE, ADAM_BETA1, ADAM_BETA2, EPSILON,
            ADAGRAD_INITIAL_ACCUMULATOR, EMBEDDING_L2, DENSE_L2);

    private static final Map<ModelOption<?>, Binding<?>> BINDINGS = new LinkedHashMap<>();

    static {
        bind(SHARED_UNITS, "sharedUnits", ModelConfig::sharedUnits, (c, v) -> c.with().sharedUnits(v));
        bind(TOWER_UNITS, "towerUnits", ModelConfig::towerUnits, (c, v) -> c.with().towerUnits(v));
        bind(TARGET_UNITS, "targetUnits", ModelConfig::targetUnits, (c, v) -> c.with().targetUnits(v));
        bind(EXPERTS, "experts", ModelConfig::experts, (c, v) -> c.with().experts(v));
        bind(ALIGNED_WIDTH, "alignedWidth", ModelConfig::alignedWidth, (c, v) -> c.with().alignedWidth(v));
        bind(SPECIFIC_WIDTH, "specificWidth", ModelConfig::specificWidth, (c, v) -> c.with().specificWidth(v));
        bind(PDL_WEIGHT, "pdlWeight", ModelConfig::pdlWeight, (c, v) -> c.with().pdlWeight(v));
        bind(MEM_LOSS_WEIGHTING, "memLossWeighting", ModelConfig::memLossWeighting,
                (c, v) -> c.with().memLossWeighting(v));
        bind(TARGET_START, "targetStart", ModelConfig::targetStart, (c, v) -> c.with().targetStart(v));
        bind(EMBEDDING_L2, "embeddingL2", ModelConfig::embeddingL2, (c, v) -> c.with().embeddingL2(v));
        bind(DENSE_L2, "denseL2", ModelConfig::denseL2, (c, v) -> c.with().denseL2(v));
        bind(DROPOUT, "dropout", ModelConfig::dropout, (c, v) -> c.with().dropout(v));
        bind(BATCH_SIZE, "batchSize", ModelConfig::batchSize, (c, v) -> c.with().batchSize(v));
        bind(JOINT_EPOCHS, "maxJointEpochs", ModelConfig::maxJointEpochs, (c, v) -> c.with().maxJointEpochs(v));
        bind(TARGET_EPOCHS, "maxTargetEpochs", ModelConfig::maxTargetEpochs, (c, v) -> c.with().maxTargetEpochs(v));
        bind(PATIENCE, "patience", ModelConfig::patience, (c, v) -> c.with().patience(v));
        bind(VALIDATION_FRACTION, "validationFraction", ModelConfig::validationFraction,
                (c, v) -> c.with().validationFraction(v));
        bind(VALIDATIONS_PER_EPOCH, "validationsPerEpoch", ModelConfig::validationsPerEpoch,
                (c, v) -> c.with().validationsPerEpoch(v));
        bind(TEM_WARM_START, "temWarmStart", ModelConfig::temWarmStart, (c, v) -> c.with().temWarmStart(v));
        bind(REFIT, "refit", ModelConfig::refit, (c, v) -> c.with().refit(v));
        bind(TEM_RESIDUAL, "temResidual", ModelConfig::temResidual, (c, v) -> c.with().temResidual(v));
        bind(THREADS, "threads", ModelConfig::threads, (c, v) -> c.with().threads(v));
        bind(LEARNING_RATE, "optimizer.denseLearningRate", c -> c.optimizer().denseLearningRate(),
                (c, v) -> c.with().optimizer(c.optimizer().withDenseLearningRate(v)));
        bind(EMBEDDING_LEARNING_RATE, "optimizer.embeddingLearningRate", c -> c.optimizer().embeddingLearningRate(),
                (c, v) -> c.with().optimizer(c.optimizer().withEmbeddingLearningRate(v)));
        bind(ADAM_BETA1, "optimizer.beta1", c -> c.optimizer().beta1(),
                (c, v) -> c.with().optimizer(c.optimizer().withBeta1(v)));
        bind(ADAM_BETA2, "optimizer.beta2", c -> c.optimizer().beta2(),
                (c, v) -> c.with().optimizer(c.optimizer().withBeta2(v)));
        bind(EPSILON, "optimizer.epsilon", c -> c.optimizer().epsilon(),
                (c, v) -> c.with().optimizer(c.optimizer().withEpsilon(v)));
        bind(ADAGRAD_INITIAL_ACCUMULATOR, "optimizer.initialAccumulator", c -> c.optimizer().initialAccumulator(),
                (c, v) -> c.with().optimizer(c.optimizer().withInitialAccumulator(v)));
    }

    private ModelOptions() {}

    /** Every option, in the order {@code --list-options} prints them. */
    public static List<ModelOption<?>> all() {
        return List.copyOf(BINDINGS.keySet());
    }

    public static Optional<ModelOption<?>> byKey(String key) {
        return BINDINGS.keySet().stream().filter(o -> o.key().equals(key)).findFirst();
    }

    public static List<String> keys() {
        List<String> keys = new ArrayList<>();
        BINDINGS.keySet().forEach(o -> keys.add(o.key()));
        return keys;
    }

    /** The value of {@code option} in {@code config}. */
    public static <T> T get(ModelConfig config, ModelOption<T> option) {
        return binding(option).get().apply(config);
    }

    /** A copy of {@code config} with {@code option} set to {@code value} (checked by the option's validator). */
    public static <T> ModelConfig set(ModelConfig config, ModelOption<T> option, T value) {
        option.check(option.key(), value);
        return binding(option).set().apply(config, value).build();
    }

    /** The {@link ModelConfig} record component (dotted into nested records) that {@code option} stands for. */
    static String component(ModelOption<?> option) {
        return binding(option).component();
    }

    @SuppressWarnings("unchecked")
    private static <T> Binding<T> binding(ModelOption<T> option) {
        Binding<?> b = BINDINGS.get(option);
        if (b == null) {
            throw new IllegalArgumentException("Not a model option: " + option);
        }
        return (Binding<T>) b;
    }

    private static <T> void bind(ModelOption<T> option, String component, Function<ModelConfig, T> get,
            BiFunction<ModelConfig, T, ModelConfig.Builder> set) {
        BINDINGS.put(option, new Binding<>(component, get, set));
    }

    private record Binding<T>(String component, Function<ModelConfig, T> get,
            BiFunction<ModelConfig, T, ModelConfig.Builder> set) {}
}

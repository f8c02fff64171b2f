package dev.transflow.train;

import dev.transflow.config.OptionCatalogue;
import dev.transflow.config.Validators;
import dev.transflow.feature.DefaultFeatureSchema;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.registry.ModelOption;
import dev.transflow.model.registry.ModelOptions;
import dev.transflow.model.registry.ModelRegistry;
import dev.transflow.model.registry.OptionValues;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.nio.file.Path;

/**
 * {@code transflow.trainer.*}: settings both continual trainers (MEM and TEM) read. Their own settings are in
 * {@link MemOptions} and {@link TemOptions}, the snapshot store's in {@link dev.transflow.snapshot.SnapshotOptions}.
 */
public final class TrainerOptions {

    private TrainerOptions() {}

    public static final String PREFIX = "transflow.trainer.";

    public static final Validators VALIDATORS = new Validators();

    // Which models exist is the model registry's to say.
    public static final ConfigOption<String> MODEL = VALIDATORS.add(ConfigOptions.key(PREFIX + "model").stringType()
            .defaultValue("mkt").withDeprecatedKeys("trainer.model")
            .withDescription("Target model the TEM job trains: mkt (with MEM knowledge, also mkt-no-hfa, mkt-no-pdl) "
                    + "or mlp (target data only). The MEM job trains the MEM this model reads."),
            TrainerOptions::unknownModel);

    public static String model(Configuration config) {
        return VALIDATORS.get(config, MODEL);
    }

    public static final ConfigOption<Integer> BATCH_SIZE = VALIDATORS.add(ConfigOptions.key(PREFIX + "batch-size")
            .intType().defaultValue(256).withDeprecatedKeys("trainer.batch-size")
            .withDescription("Samples per training step (TEM: target samples; MEM: both domains). The trainers' "
                    + "models train with this, not model.batch-size, which a job may only set to the same value."),
            Validators.atLeast(2));

    public static int batchSize(Configuration config) {
        return VALIDATORS.get(config, BATCH_SIZE);
    }

    public static final ConfigOption<Integer> THREADS = VALIDATORS.add(ConfigOptions.key(PREFIX + "threads")
            .intType().defaultValue(1).withDeprecatedKeys("trainer.threads")
            .withDescription("TensorFlow threads per trainer (intra- and inter-op); 0 = TensorFlow's default (all "
                    + "cores). The trainers' models run with this, not model.threads, which a job may only set to "
                    + "the same value."),
            value -> value < 0 ? value + "; it must be >= 0" : null);

    public static int threads(Configuration config) {
        return VALIDATORS.get(config, THREADS);
    }

    public static final ConfigOption<Integer> METRIC_WINDOW = VALIDATORS.add(ConfigOptions
            .key(PREFIX + "metric-window").intType().defaultValue(5_000).withDeprecatedKeys("trainer.metric-window")
            .withDescription("Predictions per prequential metric window: AUC, GAUC and log-loss are over the last "
                    + "full window, and each full window is published to the metrics topic."),
            Validators.atLeast(2));

    public static int metricWindow(Configuration config) {
        return VALIDATORS.get(config, METRIC_WINDOW);
    }

    public static final ConfigOption<Long> SEED = ConfigOptions.key(PREFIX + "seed").longType().defaultValue(1L)
            .withDeprecatedKeys("trainer.seed").withDescription("Seed of the models' initial weights.");

    public static final ConfigOption<String> FEATURE_SCHEMA = ConfigOptions.key(PREFIX + "feature-schema")
            .stringType().noDefaultValue().withDeprecatedKeys("trainer.feature-schema")
            .withDescription("Feature schema file (JSON, see 'transflow evaluate --help'); default: the built-in "
                    + DefaultFeatureSchema.RESOURCE + " (the features the simulator produces, hashed "
                    + "vocabularies). MEM and TEM jobs must use the same one.");

    static {
        VALIDATORS.named("model-batch-size-and-threads", TrainerOptions::checkModelSettings);
    }

    /**
     * The one rule for a job's {@code model.batch-size} and {@code model.threads} ({@code transflow evaluate}'s
     * keys): {@link #BATCH_SIZE} and {@link #THREADS} size the trainers' steps and sessions and other options are
     * checked against them, so the model settings may only repeat them. A different value would be ignored, so it
     * fails instead, naming the key to set.
     */
    static void checkModelSettings(Configuration config) {
        String model = model(config);
        OptionValues values = OptionValues.parse(OptionCatalogue.modelSettings(config.toMap()));
        requireSame(values, model, ModelOptions.BATCH_SIZE, BATCH_SIZE, batchSize(config));
        requireSame(values, model, ModelOptions.THREADS, THREADS, threads(config));
    }

    private static void requireSame(OptionValues values, String model, ModelOption<Integer> modelOption,
            ConfigOption<Integer> trainerOption, int trainerValue) {
        values.setting(model, modelOption).filter(value -> value != trainerValue).ifPresent(value -> {
            throw new IllegalArgumentException(OptionValues.PREFIX + modelOption.key() + " is " + value + " for "
                    + model + ", but the trainers use " + trainerOption.key() + " (" + trainerValue + "): set "
                    + trainerOption.key() + " instead");
        });
    }

    private static String unknownModel(String name) {
        try {
            ModelRegistry.spec(name);
            return null;
        } catch (IllegalArgumentException e) {
            return "'" + name + "': " + e.getMessage();
        }
    }

    /** The feature schema of {@link #FEATURE_SCHEMA}, or the built-in default. */
    public static FeatureSchema featureSchema(Configuration config) {
        return config.getOptional(FEATURE_SCHEMA).map(file -> FeatureSchema.load(Path.of(file)))
                .orElseGet(DefaultFeatureSchema::load);
    }
}

package dev.transflow.train;

import dev.transflow.config.Validators;
import dev.transflow.feature.DefaultFeatureSchema;
import dev.transflow.model.feature.FeatureSchema;

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

    // Which models exist is the model registry's to say (TrainerSettings asks it), so no check here.
    public static final ConfigOption<String> MODEL = ConfigOptions.key(PREFIX + "model").stringType()
            .defaultValue("mkt").withDeprecatedKeys("trainer.model")
            .withDescription("Target model the TEM job trains: mkt (with MEM knowledge, also mkt-no-hfa, mkt-no-pdl) "
                    + "or mlp (target data only). The MEM job trains the MEM this model reads.");

    public static final ConfigOption<Integer> BATCH_SIZE = VALIDATORS.add(ConfigOptions.key(PREFIX + "batch-size")
            .intType().defaultValue(256).withDeprecatedKeys("trainer.batch-size")
            .withDescription("Samples per training step (TEM: target samples; MEM: both domains)."),
            Validators.atLeast(2));

    public static int batchSize(Configuration config) {
        return VALIDATORS.get(config, BATCH_SIZE);
    }

    public static final ConfigOption<Integer> THREADS = VALIDATORS.add(ConfigOptions.key(PREFIX + "threads")
            .intType().defaultValue(1).withDeprecatedKeys("trainer.threads")
            .withDescription("TensorFlow threads per trainer (intra- and inter-op); 0 = TensorFlow's default (all "
                    + "cores)."),
            value -> value < 0 ? value + "; it must be >= 0" : null);

    public static final ConfigOption<Integer> METRIC_WINDOW = VALIDATORS.add(ConfigOptions
            .key(PREFIX + "metric-window").intType().defaultValue(5_000).withDeprecatedKeys("trainer.metric-window")
            .withDescription("Predictions per prequential metric window: AUC, GAUC and log-loss are over the last "
                    + "full window, and each full window is published to the metrics topic."),
            Validators.atLeast(2));

    public static final ConfigOption<Long> SEED = ConfigOptions.key(PREFIX + "seed").longType().defaultValue(1L)
            .withDeprecatedKeys("trainer.seed").withDescription("Seed of the models' initial weights.");

    public static final ConfigOption<String> FEATURE_SCHEMA = ConfigOptions.key(PREFIX + "feature-schema")
            .stringType().noDefaultValue().withDeprecatedKeys("trainer.feature-schema")
            .withDescription("Feature schema file (JSON, see 'transflow evaluate --help'); default: the built-in "
                    + DefaultFeatureSchema.RESOURCE + " (the features the simulator produces, hashed "
                    + "vocabularies). MEM and TEM jobs must use the same one.");

    /** The feature schema of {@link #FEATURE_SCHEMA}, or the built-in default. */
    public static FeatureSchema featureSchema(Configuration config) {
        return config.getOptional(FEATURE_SCHEMA).map(file -> FeatureSchema.load(Path.of(file)))
                .orElseGet(DefaultFeatureSchema::load);
    }
}

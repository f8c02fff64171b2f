package dev.transflow.train;

import dev.transflow.feature.DefaultFeatureSchema;
import dev.transflow.model.feature.FeatureSchema;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.nio.file.Path;
import java.time.Duration;

/** Settings of the continual trainers (MEM and TEM) and of the snapshots they publish. */
public final class TrainerOptions {

    private TrainerOptions() {}

    public static final ConfigOption<String> MODEL = ConfigOptions.key("trainer.model").stringType()
            .defaultValue("mkt")
            .withDescription("Target model the TEM job trains: mkt (with MEM knowledge, also mkt-no-hfa, mkt-no-pdl) "
                    + "or mlp (target data only). The MEM job trains the MEM this model reads.");

    public static final ConfigOption<Integer> BATCH_SIZE = ConfigOptions.key("trainer.batch-size").intType()
            .defaultValue(256).withDescription("Samples per training step (TEM: target samples; MEM: both domains).");

    public static final ConfigOption<Integer> THREADS = ConfigOptions.key("trainer.threads").intType()
            .defaultValue(1).withDescription("TensorFlow threads per trainer (intra- and inter-op); 0 = TensorFlow's "
                    + "default (all cores).");

    public static final ConfigOption<Integer> METRIC_WINDOW = ConfigOptions.key("trainer.metric-window").intType()
            .defaultValue(5_000).withDescription("Predictions per prequential metric window: AUC, GAUC and log-loss "
                    + "are over the last full window, and each full window is published to the metrics topic.");

    public static final ConfigOption<Long> SEED = ConfigOptions.key("trainer.seed").longType().defaultValue(1L)
            .withDescription("Seed of the models' initial weights.");

    public static final ConfigOption<String> FEATURE_SCHEMA = ConfigOptions.key("trainer.feature-schema")
            .stringType().noDefaultValue()
            .withDescription("Feature schema file (JSON, see 'transflow evaluate --help'); default: the built-in "
                    + DefaultFeatureSchema.RESOURCE + " (the features the simulator produces, hashed "
                    + "vocabularies). MEM and TEM jobs must use the same one.");

    public static final ConfigOption<String> SNAPSHOT_DIR = ConfigOptions.key("snapshot.dir").stringType()
            .defaultValue(Path.of(System.getProperty("user.home"), ".transflow", "snapshots").toString())
            .withDescription("Root of the snapshot store (a directory every job of the deployment can read). Trainers "
                    + "publish to it, and the TEM job takes an announced MEM version only from its place here, "
                    + "<snapshot.dir>/mem/v<version>: give the MEM and TEM jobs the same directory, writable by "
                    + "them alone.");

    public static final ConfigOption<Integer> SNAPSHOT_RETAIN = ConfigOptions.key("snapshot.retain").intType()
            .defaultValue(5).withDescription("Published versions kept per model kind; older ones are deleted.");

    public static final ConfigOption<Long> MEM_PUBLISH_SAMPLES = ConfigOptions.key("mem.publish-every-samples")
            .longType().defaultValue(200_000L)
            .withDescription("The MEM job publishes a snapshot after this many trained samples, "
                    + "or after mem.publish-interval, whichever comes first.");

    public static final ConfigOption<Duration> MEM_PUBLISH_INTERVAL = ConfigOptions.key("mem.publish-interval")
            .durationType().defaultValue(Duration.ofMinutes(5))
            .withDescription("Longest wall-clock time between two MEM snapshots while samples arrive.");

    public static final ConfigOption<Integer> MEM_MAX_BUFFERED = ConfigOptions.key("mem.max-buffered-samples")
            .intType().defaultValue(4_096)
            .withDescription("Most samples the MEM trainer holds while it waits for both domains to fill a batch. "
                    + "When that many are waiting and all are of one domain (the other's stream stalls), it trains "
                    + "on them alone, trainer.batch-size at a time, and counts them (singleDomainSamples); no "
                    + "sample is dropped. Bounds the trainer's heap, its checkpointed buffer and the size of one "
                    + "step. At least trainer.batch-size.");

    /** {@link #MEM_MAX_BUFFERED}, at least {@link #BATCH_SIZE}: a mixed batch must fit in the buffer. */
    public static int memMaxBuffered(Configuration config) {
        int max = config.get(MEM_MAX_BUFFERED);
        int batch = config.get(BATCH_SIZE);
        if (max < batch) {
            throw new IllegalArgumentException(MEM_MAX_BUFFERED.key() + " is " + max + "; it must be at least "
                    + BATCH_SIZE.key() + " (" + batch + "): raise it, e.g. to 16 times the batch size");
        }
        return max;
    }

    public static final ConfigOption<Duration> TEM_PUBLISH_INTERVAL = ConfigOptions.key("tem.publish-interval")
            .durationType().defaultValue(Duration.ofMinutes(10))
            .withDescription("The TEM job publishes a snapshot (checkpoint + SavedModel for serving) this often; "
                    + "0 = never.");

    /** The feature schema of {@link #FEATURE_SCHEMA}, or the built-in default. */
    public static FeatureSchema featureSchema(Configuration config) {
        return config.getOptional(FEATURE_SCHEMA).map(file -> FeatureSchema.load(Path.of(file)))
                .orElseGet(DefaultFeatureSchema::load);
    }
}

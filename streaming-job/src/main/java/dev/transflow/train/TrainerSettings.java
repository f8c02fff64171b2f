package dev.transflow.train;

import dev.transflow.config.OptionCatalogue;
import dev.transflow.model.registry.ModelRegistry;
import dev.transflow.model.snapshot.SnapshotStore;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.schemas.ModelKind;
import dev.transflow.snapshot.SnapshotOptions;
import dev.transflow.snapshot.SnapshotPublisher;

import org.apache.flink.configuration.Configuration;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.TreeMap;

/** The {@link TrainerOptions} both trainers read, resolved once when the job is built. */
record TrainerSettings(String model, int batchSize, int threads, int metricWindow, long seed, String snapshotDir,
        int retain, TreeMap<String, String> modelSettings) implements Serializable {

    static TrainerSettings of(Configuration config) {
        TrainerSettings s = new TrainerSettings(config.get(TrainerOptions.MODEL), config.get(TrainerOptions.BATCH_SIZE),
                config.get(TrainerOptions.THREADS), config.get(TrainerOptions.METRIC_WINDOW),
                config.get(TrainerOptions.SEED), config.get(SnapshotOptions.DIR),
                config.get(SnapshotOptions.RETAIN), new TreeMap<>(OptionCatalogue.modelSettings(config.toMap())));
        if (!ModelRegistry.ALL.contains(s.model)) {
            throw new IllegalArgumentException(TrainerOptions.MODEL.key() + " is '" + s.model + "'; choose from "
                    + ModelRegistry.ALL);
        }
        if (s.batchSize < 2) {
            throw new IllegalArgumentException(TrainerOptions.BATCH_SIZE.key() + " must be >= 2, got " + s.batchSize);
        }
        return s;
    }

    /**
     * The model's hyper-parameters: its defaults under the job's {@code model.*} settings (the same keys as
     * {@code transflow evaluate --set}); the trainer's own batch size and threads win, since they size the
     * continual steps.
     */
    ModelConfig modelConfig() {
        return ModelRegistry.configure(model, modelSettings).withBatchSize(batchSize).withThreads(threads);
    }

    /** The store trainers publish to and take knowledge snapshots from. */
    SnapshotStore store() {
        return new SnapshotStore(Path.of(snapshotDir));
    }

    SnapshotPublisher publisher(ModelKind kind) {
        return new SnapshotPublisher(store(), kind, retain);
    }
}

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

    /** @throws IllegalArgumentException for a value or combination {@link TrainerOptions} does not accept */
    static TrainerSettings of(Configuration config) {
        TrainerOptions.checkModelSettings(config);
        return new TrainerSettings(TrainerOptions.model(config), TrainerOptions.batchSize(config),
                TrainerOptions.threads(config), TrainerOptions.metricWindow(config), config.get(TrainerOptions.SEED),
                SnapshotOptions.VALIDATORS.get(config, SnapshotOptions.DIR), SnapshotOptions.retain(config),
                new TreeMap<>(OptionCatalogue.modelSettings(config.toMap())));
    }

    /**
     * The model's hyper-parameters: its defaults under the job's {@code model.*} settings (the same keys as
     * {@code transflow evaluate --set}), with the trainer's batch size and threads, which {@link #of} has checked
     * the model settings do not contradict.
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

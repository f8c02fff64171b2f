package dev.transflow.snapshot;

import dev.transflow.model.snapshot.SnapshotStore;
import dev.transflow.model.train.GraphModel;
import dev.transflow.schemas.ModelKind;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.schemas.TrainingPosition;

import java.util.Map;

/**
 * Publishes a trainer's model to the snapshot store and describes it as the {@link ModelVersion} announcement that
 * goes to {@code model.versions}. Versions only grow: a job restored from a checkpoint skips numbers a failed
 * attempt already wrote (those were never announced, since the announcement commits with the checkpoint).
 */
public final class SnapshotPublisher {

    private final SnapshotStore store;
    private final ModelKind kind;
    private final int retain;

    public SnapshotPublisher(SnapshotStore store, ModelKind kind, int retain) {
        if (retain < 1) {
            throw new IllegalArgumentException("snapshot.retain must be >= 1, got " + retain);
        }
        this.store = store;
        this.kind = kind;
        this.retain = retain;
    }

    /**
     * @param lastVersion the last version this trainer announced (from its state), or -1
     * @return the announcement of the new version
     */
    public ModelVersion publish(GraphModel model, long lastVersion, long samples, Map<String, Double> metrics,
            boolean withSavedModel) {
        long version = Math.max(lastVersion, store.latestVersion(kind)) + 1;
        SnapshotStore.Snapshot snapshot = model.publish(store, kind, version, metrics, withSavedModel);
        store.retain(kind, retain);
        return ModelVersion.newBuilder()
                .setModelKind(kind).setVersion(version)
                .setUri(snapshot.directory().toUri().toString())
                .setManifestSha256(snapshot.manifestSha256())
                .setFeatureSchemaSha256(snapshot.manifest().featureSchemaSha256())
                .setCreatedAt(snapshot.manifest().createdAt())
                .setTrainingPosition(TrainingPosition.newBuilder().setSamples(samples).setOffsets(Map.of()).build())
                .setMetrics(metrics)
                .build();
    }
}

package dev.transflow.snapshot;

import dev.transflow.model.snapshot.SnapshotException;
import dev.transflow.model.snapshot.SnapshotStore;
import dev.transflow.model.train.StreamingModel;
import dev.transflow.schemas.ModelKind;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.schemas.TrainingPosition;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Publishes a trainer's model to the snapshot store and describes it as the {@link ModelVersion} announcement that
 * goes to {@code model.versions}. Versions only grow: a job restored from a checkpoint skips numbers a failed
 * attempt already wrote (those were never announced, since the announcement commits with the checkpoint).
 *
 * <p>Every way a publication can fail (disk full, permissions, a file where a directory should be, the largest
 * version taken) ends in a {@link SnapshotException} and leaves nothing to announce, so a trainer can log it, count
 * it and try again later without stopping.
 */
public final class SnapshotPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

    private final SnapshotStore store;
    private final ModelKind kind;
    private final int retain;

    public SnapshotPublisher(SnapshotStore store, ModelKind kind, int retain) {
        if (retain < 1) {
            throw new IllegalArgumentException(SnapshotOptions.RETAIN.key() + " must be >= 1, got " + retain);
        }
        this.store = store;
        this.kind = kind;
        this.retain = retain;
    }

    /**
     * @param lastVersion the last version this trainer announced (from its state), or -1
     * @return the announcement of the new version
     * @throws SnapshotException when the store cannot take the snapshot; the message names the cause
     */
    public ModelVersion publish(StreamingModel model, long lastVersion, long samples, Map<String, Double> metrics,
            boolean withSavedModel) {
        long version = -1;
        SnapshotStore.Snapshot snapshot;
        try {
            long newest = Math.max(lastVersion, store.latestVersion(kind));
            if (newest == Long.MAX_VALUE) {
                throw new SnapshotException(store.directory(kind, newest) + " holds the largest version there can "
                        + "be, so no later one can be published; publishers count up from 0, so it was put there by "
                        + "hand or by a tool: remove it");
            }
            version = newest + 1;
            snapshot = model.publish(store, kind, version, metrics, withSavedModel);
        } catch (SnapshotException e) {
            throw e;
        } catch (RuntimeException e) {
            // TensorFlow's and the file system's own exceptions (a full disk while saving, a listing that fails).
            throw new SnapshotException("Cannot publish " + kind + " version " + version + " to " + store.root()
                    + ": " + e, e);
        }
        try {
            store.retain(kind, retain);
        } catch (RuntimeException e) {
            // The new version is complete; old ones wait for the next publication to retire them.
            LOG.warn("Published {} version {}, but could not retire old versions in {}: {}", kind, version,
                    store.root(), e.toString());
        }
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

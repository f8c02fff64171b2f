package dev.transflow.model.train;

import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.snapshot.SnapshotStore;
import dev.transflow.schemas.ModelKind;

import java.util.List;
import java.util.Map;

/**
 * Everything a streaming trainer needs of a model: score a mini-batch, train one continual step on it, keep its
 * state in a checkpoint, publish snapshots, and take in the knowledge other jobs publish. The trainers hold models
 * through this interface only, so a model that implements it runs in the jobs without changes to them.
 */
public interface StreamingModel extends CtrModel {

    /**
     * One kind of knowledge a model reads from another job's snapshots, and the parameter group of its own graph
     * those snapshots provide (the weights swapped in when a new version arrives).
     */
    record Knowledge(ModelKind kind, String group) {}

    /** Click probabilities of target rows {@code [from, to)}: the scores of a batch before it is trained on. */
    @Override
    float[] predict(EncodedSamples target, int from, int to);

    /** One continual training step over target rows {@code [from, to)}. */
    @Override
    void trainTarget(EncodedSamples target, int from, int to);

    /** Every variable (weights and optimizer state) as bytes, for a stream processor's checkpointed state. */
    byte[] checkpointBytes();

    /**
     * Restores what {@link #checkpointBytes()} of a model of the same structure produced.
     *
     * @throws IllegalArgumentException when the bytes are truncated or corrupt
     */
    void restoreCheckpointBytes(byte[] state);

    /**
     * Publishes the model as version {@code version} of {@code kind}: a checkpoint, plus a SavedModel for serving
     * when {@code withSavedModel}.
     */
    SnapshotStore.Snapshot publish(SnapshotStore store, ModelKind kind, long version, Map<String, Double> metrics,
            boolean withSavedModel);

    /**
     * Reads parameter group {@code group} from a verified snapshot of a model with the same structure, without
     * touching this model: safe on another thread while this one trains.
     */
    ModuleWeights readGroup(SnapshotStore.Snapshot snapshot, String group);

    /** Overwrites one group's weights with {@code weights}, between two training steps. */
    void assign(ModuleWeights weights);

    /** The knowledge this model reads, one entry per kind; empty for a model that reads none. */
    default List<Knowledge> consumes() {
        return List.of();
    }

    /** The kind its own snapshots are published as. */
    default ModelKind produces() {
        return ModelKind.TEM;
    }
}

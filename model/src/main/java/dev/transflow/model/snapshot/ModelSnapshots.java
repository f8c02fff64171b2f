package dev.transflow.model.snapshot;

import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.nn.BatchInputs;
import dev.transflow.model.nn.Net;
import dev.transflow.model.train.ModelCheckpoint;
import dev.transflow.model.train.ModuleWeights;
import dev.transflow.schemas.ModelKind;

import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.types.TFloat32;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes one model's snapshots to a {@link SnapshotStore} and reads them back: a snapshot directory holds the
 * model's {@link ModelCheckpoint} under {@value #CHECKPOINT_DIR} and, for serving, a SavedModel under
 * {@value #SAVED_MODEL_DIR}.
 */
public final class ModelSnapshots {

    /** Sub-directories of a snapshot. */
    public static final String CHECKPOINT_DIR = "checkpoint";
    public static final String SAVED_MODEL_DIR = "saved_model";

    private final FeatureSchema schema;
    private final Net net;
    private final Session session;
    private final ModelCheckpoint checkpoint;
    private final BatchInputs targetInputs;
    private final Operand<TFloat32> targetScore;

    /**
     * @param schema the feature schema the model encodes with; snapshots of another one are refused
     * @param targetInputs the placeholders the SavedModel's signature maps from
     * @param targetScore the click probability it maps to
     */
    public ModelSnapshots(FeatureSchema schema, Net net, Session session, ModelCheckpoint checkpoint,
            BatchInputs targetInputs, Operand<TFloat32> targetScore) {
        this.schema = schema;
        this.net = net;
        this.session = session;
        this.checkpoint = checkpoint;
        this.targetInputs = targetInputs;
        this.targetScore = targetScore;
    }

    /**
     * Publishes the model as version {@code version} of {@code kind}: a checkpoint, plus a SavedModel for
     * serving when {@code withSavedModel}.
     */
    public SnapshotStore.Snapshot publish(SnapshotStore store, ModelKind kind, long version,
            Map<String, Double> metrics, boolean withSavedModel) {
        return store.publish(kind, version, schema, metrics, dir -> {
            checkpoint.save(dir.resolve(CHECKPOINT_DIR));
            if (withSavedModel) {
                exportSavedModel(dir.resolve(SAVED_MODEL_DIR));
            }
        });
    }

    /**
     * Exports a SavedModel whose {@code serving_default} signature maps the target inputs ({@code categorical},
     * {@code numeric}, {@code product_sequence}, {@code product_length}, {@code post_sequence},
     * {@code post_length}; see {@link BatchInputs}) to {@code score}, the click probability [batch, 1].
     */
    public void exportSavedModel(Path dir) {
        if (targetScore == null) {
            throw new IllegalStateException("The model has no target output to serve");
        }
        Signature signature = Signature.builder().key(Signature.DEFAULT_KEY)
                .input("categorical", targetInputs.categorical)
                .input("numeric", targetInputs.numeric)
                .input("product_sequence", targetInputs.productSequence)
                .input("product_length", targetInputs.productLength)
                .input("post_sequence", targetInputs.postSequence)
                .input("post_length", targetInputs.postLength)
                .output("score", targetScore)
                .build();
        try {
            SavedModelBundle.exporter(dir.toString()).withSession(session).withSignature(signature).export();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot export a SavedModel to " + dir, e);
        }
    }

    /** Loads every weight of a verified snapshot of the same model structure and feature schema. */
    public void load(SnapshotStore.Snapshot snapshot) {
        requireSchema(snapshot);
        checkpoint.restore(snapshot.directory().resolve(CHECKPOINT_DIR));
    }

    /**
     * Reads the weights of parameter group {@code group} from a verified snapshot of a model with the same
     * structure, without touching the model: safe on another thread while it trains.
     */
    public ModuleWeights readGroup(SnapshotStore.Snapshot snapshot, String group) {
        requireSchema(snapshot);
        return ModuleWeights.read(snapshot.directory().resolve(CHECKPOINT_DIR), group, net.params().stream()
                .filter(p -> p.group().equals(group)).toList());
    }

    private void requireSchema(SnapshotStore.Snapshot snapshot) {
        if (!snapshot.manifest().featureSchemaSha256().equals(schema.sha256())) {
            throw new SnapshotException(snapshot.directory() + " was trained with another feature schema");
        }
    }
}

package dev.transflow.model.train;

import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.nn.BatchInputs;
import dev.transflow.model.nn.Net;
import dev.transflow.schemas.Domain;

import dev.transflow.model.snapshot.SnapshotException;
import dev.transflow.model.snapshot.SnapshotStore;
import dev.transflow.schemas.ModelKind;

import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.Signature;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A model that lives in one TensorFlow graph with inputs for a source and a target batch. Subclasses build their
 * network in the constructor, then call {@link #start()}.
 */
public abstract class GraphModel implements CtrModel {

    /** Sub-directories of a snapshot. */
    public static final String CHECKPOINT_DIR = "checkpoint";
    public static final String SAVED_MODEL_DIR = "saved_model";
    static final String CHECKPOINT_PREFIX = "variables";

    protected final Graph graph = new Graph();
    protected final Net net;
    protected final SampleEncoder encoder;
    protected final ModelConfig config;
    protected final BatchInputs sourceInputs;
    protected final BatchInputs targetInputs;
    protected Session session;
    private Operand<TFloat32> targetScore;

    protected GraphModel(SampleEncoder encoder, ModelConfig config, long seed) {
        this.net = new Net(graph, seed);
        this.encoder = encoder;
        this.config = config;
        this.sourceInputs = new BatchInputs(net.tf(), "source", encoder.layout(Domain.SOURCE));
        this.targetInputs = new BatchInputs(net.tf(), "target", encoder.layout(Domain.TARGET));
    }

    public Net net() {
        return net;
    }

    public Session session() {
        return session;
    }

    public BatchInputs targetInputs() {
        return targetInputs;
    }

    /** The target logits; the model's prediction is their sigmoid. */
    protected void setTargetLogits(Operand<TFloat32> logits) {
        this.targetScore = net.tf().withName("target_score").math.sigmoid(logits);
    }

    public Operand<TFloat32> targetScore() {
        return targetScore;
    }

    protected void start() {
        ConfigProto.Builder proto = ConfigProto.newBuilder();
        if (config.threads() > 0) {
            proto.setIntraOpParallelismThreads(config.threads()).setInterOpParallelismThreads(config.threads());
        }
        session = new Session(graph, proto.build());
        net.initialize(session);
    }

    /** One pass over both domains' rows with batch sizes proportional to their counts, one loss per step. */
    protected void trainJoint(Op step, EncodedSamples source, int sourceEnd, EncodedSamples target, int targetEnd,
            int epochs) {
        if (sourceEnd == 0 || targetEnd == 0) {
            throw new IllegalArgumentException("Joint training needs rows of both domains (source " + sourceEnd
                    + ", target " + targetEnd + ")");
        }
        int sourceBatch = config.batchSize();
        int steps = (sourceEnd + sourceBatch - 1) / sourceBatch;
        double targetPerStep = (double) targetEnd / steps;
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int s = 0; s < steps; s++) {
                int sFrom = s * sourceBatch;
                int sTo = Math.min(sourceEnd, sFrom + sourceBatch);
                int tFrom = (int) Math.round(s * targetPerStep);
                int tTo = Math.max(tFrom + 1, (int) Math.round((s + 1) * targetPerStep));
                tTo = Math.min(tTo, targetEnd);
                tFrom = Math.min(tFrom, tTo - 1);
                stepJoint(step, source, sFrom, sTo, target, tFrom, tTo);
            }
        }
    }

    /** One step of {@code step} on source rows {@code [sFrom, sTo)} and target rows {@code [tFrom, tTo)} together. */
    protected void stepJoint(Op step, EncodedSamples source, int sFrom, int sTo, EncodedSamples target, int tFrom,
            int tTo) {
        if (sTo <= sFrom || tTo <= tFrom) {
            throw new IllegalArgumentException("A joint step needs rows of both domains (source " + (sTo - sFrom)
                    + ", target " + (tTo - tFrom) + ")");
        }
        Session.Runner runner = session.runner().addTarget(step);
        try (var a = sourceInputs.feed(runner, source, sFrom, sTo, true);
                var b = targetInputs.feed(runner, target, tFrom, tTo, true)) {
            runner.run();
        }
    }

    /** Passes over rows {@code [0, end)} of one domain in batches. */
    protected void trainSingle(Op step, BatchInputs inputs, EncodedSamples data, int end, int epochs) {
        for (int epoch = 0; epoch < epochs; epoch++) {
            trainRange(step, inputs, data, 0, end);
        }
    }

    /** One pass over rows {@code [from, to)} in batches. */
    protected void trainRange(Op step, BatchInputs inputs, EncodedSamples data, int from, int to) {
        int batch = config.batchSize();
        for (int start = from; start < to; start += batch) {
            Session.Runner runner = session.runner().addTarget(step);
            try (var feed = inputs.feed(runner, data, start, Math.min(to, start + batch), true)) {
                runner.run();
            }
        }
    }

    /** Every variable (weights and optimizer state) as bytes, for a stream processor's checkpointed state. */
    public byte[] checkpointBytes() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("transflow-model-state");
            saveCheckpoint(dir);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes); Stream<Path> files = Files.list(dir)) {
                List<Path> list = files.sorted().toList();
                out.writeInt(list.size());
                for (Path file : list) {
                    byte[] content = Files.readAllBytes(file);
                    out.writeUTF(file.getFileName().toString());
                    out.writeInt(content.length);
                    out.write(content);
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot checkpoint the model", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /** Restores what {@link #checkpointBytes()} produced, into a model of the same structure. */
    public void restoreCheckpointBytes(byte[] state) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("transflow-model-state");
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
                int count = in.readInt();
                for (int i = 0; i < count; i++) {
                    String name = in.readUTF();
                    if (name.contains("/") || name.contains("..")) {
                        throw new IOException("Invalid file name in model state: " + name);
                    }
                    byte[] content = new byte[in.readInt()];
                    in.readFully(content);
                    Files.write(dir.resolve(name), content);
                }
            }
            restoreCheckpoint(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot restore the model from its state", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temporary directory left behind is harmless.
        }
    }

    @Override
    public float[] predict(EncodedSamples target, int from, int to) {
        float[] out = new float[to - from];
        int batch = 4096;
        for (int start = from; start < to; start += batch) {
            int end = Math.min(to, start + batch);
            Session.Runner runner = session.runner().fetch(targetScore);
            try (var feed = targetInputs.feed(runner, target, start, end, false);
                    var result = runner.run()) {
                TFloat32 scores = (TFloat32) result.get(0);
                for (int i = 0; i < end - start; i++) {
                    out[start - from + i] = scores.getFloat(i, 0);
                }
            }
        }
        return out;
    }

    /** Current values of a parameter, flattened in row-major order. */
    public float[] values(Net.Param param) {
        try (var result = session.runner().fetch(param.read()).run()) {
            TFloat32 t = (TFloat32) result.get(0);
            float[] out = new float[(int) param.size()];
            t.copyTo(DataBuffers.of(out, false, false));
            return out;
        }
    }

    /** TensorFlow checkpoint of every variable (weights and optimizer state) under {@code dir}. */
    public void saveCheckpoint(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        session.save(dir.resolve(CHECKPOINT_PREFIX).toString());
    }

    /** Restores every variable from a checkpoint written by a model of the same structure. */
    public void restoreCheckpoint(Path dir) {
        session.restore(dir.resolve(CHECKPOINT_PREFIX).toString());
    }

    /**
     * Exports a SavedModel whose {@code serving_default} signature maps the target inputs ({@code categorical},
     * {@code numeric}, {@code product_sequence}, {@code product_length}, {@code post_sequence},
     * {@code post_length}; see {@link BatchInputs}) to {@code score}, the click probability [batch, 1].
     */
    public void exportSavedModel(Path dir) {
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

    /**
     * Publishes this model as version {@code version} of {@code kind}: a checkpoint, plus a SavedModel for
     * serving when {@code withSavedModel}.
     */
    public SnapshotStore.Snapshot publish(SnapshotStore store, ModelKind kind, long version,
            Map<String, Double> metrics, boolean withSavedModel) {
        return store.publish(kind, version, encoder.schema(), metrics, dir -> {
            saveCheckpoint(dir.resolve(CHECKPOINT_DIR));
            if (withSavedModel) {
                exportSavedModel(dir.resolve(SAVED_MODEL_DIR));
            }
        });
    }

    /** Loads the weights of a verified snapshot of the same model structure and feature schema. */
    public void load(SnapshotStore.Snapshot snapshot) {
        if (!snapshot.manifest().featureSchemaSha256().equals(encoder.schema().sha256())) {
            throw new SnapshotException(snapshot.directory() + " was trained with another feature schema");
        }
        restoreCheckpoint(snapshot.directory().resolve(CHECKPOINT_DIR));
    }

    /**
     * Reads the weights of parameter group {@code group} from a verified snapshot of a model with the same
     * structure, without touching this model: safe on another thread while this one trains.
     */
    public ModuleWeights readGroup(SnapshotStore.Snapshot snapshot, String group) {
        if (!snapshot.manifest().featureSchemaSha256().equals(encoder.schema().sha256())) {
            throw new SnapshotException(snapshot.directory() + " was trained with another feature schema");
        }
        return ModuleWeights.read(snapshot.directory().resolve(CHECKPOINT_DIR), group, net.params().stream()
                .filter(p -> p.group().equals(group)).toList());
    }

    /** Overwrites one group's weights with {@code weights}, e.g. between two training steps. */
    public void assign(ModuleWeights weights) {
        net.assign(session, weights.values());
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
        graph.close();
    }
}

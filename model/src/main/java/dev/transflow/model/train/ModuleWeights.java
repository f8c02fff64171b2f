package dev.transflow.model.train;

import dev.transflow.model.nn.Net;
import dev.transflow.model.snapshot.SnapshotException;

import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of one module (a parameter group such as {@code mem}) read from a TensorFlow checkpoint into memory.
 * Reading happens in a private graph and session, so it can run on any thread while the model keeps training;
 * {@link StreamingModel#assign(ModuleWeights)} then swaps them in with one session run.
 */
public final class ModuleWeights {

    private final String group;
    private final Map<Net.Param, float[]> values;

    private ModuleWeights(String group, Map<Net.Param, float[]> values) {
        this.group = group;
        this.values = Collections.unmodifiableMap(values);
    }

    public String group() {
        return group;
    }

    Map<Net.Param, float[]> values() {
        return values;
    }

    /** Total number of floats held. */
    public long size() {
        return values.values().stream().mapToLong(v -> v.length).sum();
    }

    /**
     * Reads {@code params} (all of one group) from the checkpoint in {@code checkpointDir}.
     *
     * @throws SnapshotException when a parameter is missing from the checkpoint or has another shape (the
     *         snapshot was written by a model of another structure), or holds NaN or an infinity
     */
    public static ModuleWeights read(Path checkpointDir, String group, List<Net.Param> params) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("The model has no parameters in group '" + group + "'");
        }
        String[] names = new String[params.size()];
        String[] slices = new String[params.size()];
        List<Class<? extends TType>> types = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            names[i] = params.get(i).variable().op().name();
            slices[i] = "";
            types.add(TFloat32.class);
        }
        String prefix = checkpointDir.resolve(ModelCheckpoint.PREFIX).toString();
        Map<Net.Param, float[]> values = new LinkedHashMap<>();
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            Restore restore = tf.train.restore(tf.constant(prefix), tf.constant(StandardCharsets.UTF_8, names),
                    tf.constant(StandardCharsets.UTF_8, slices), types);
            Session.Runner runner = session.runner();
            restore.tensors().forEach(runner::fetch);
            try (Result result = runner.run()) {
                for (int i = 0; i < names.length; i++) {
                    Net.Param p = params.get(i);
                    TFloat32 t = (TFloat32) result.get(i);
                    if (!java.util.Arrays.equals(t.shape().asArray(), p.shape())) {
                        throw new SnapshotException(names[i] + " has shape " + t.shape() + " in " + checkpointDir
                                + ", the model expects " + java.util.Arrays.toString(p.shape())
                                + ": the snapshot comes from a model of another structure");
                    }
                    float[] v = new float[(int) p.size()];
                    t.copyTo(DataBuffers.of(v, false, false));
                    checkFinite(v, names[i], checkpointDir);
                    values.put(p, v);
                }
            }
        } catch (org.tensorflow.exceptions.TensorFlowException e) {
            throw new SnapshotException("Cannot read the " + group + " weights from " + checkpointDir + ": "
                    + e.getMessage().lines().findFirst().orElse(e.toString()), e);
        }
        return new ModuleWeights(group, values);
    }

    /**
     * One NaN in a frozen module turns every score that reaches it into NaN, and training on those scores spreads
     * NaN through the trainable weights too: such a snapshot must never be swapped in.
     */
    private static void checkFinite(float[] values, String name, Path checkpointDir) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new SnapshotException(name + " holds " + values[i] + " at index " + i + " in " + checkpointDir
                        + ": the trainer that published it has diverged; check its loss and learning rate, and "
                        + "publish a version trained without the fault");
            }
        }
    }
}

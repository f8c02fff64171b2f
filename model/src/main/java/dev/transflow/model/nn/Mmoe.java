package dev.transflow.model.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.List;

/**
 * Multi-gate mixture of experts: {@code out_k = sum_e softmax(x G_k)_e * expert_e(x)}, one gate per task (here: per
 * domain), experts shared.
 */
public final class Mmoe {

    private final Net net;
    private final List<Mlp> experts = new ArrayList<>();
    private final List<Net.Param> gates = new ArrayList<>();

    public Mmoe(Net net, String name, String group, int inputs, int[] expertUnits, int expertCount, int tasks) {
        this(net, name, group, inputs, expertUnits, expertCount, tasks, false);
    }

    /** {@code linearExperts}: experts' last layer without ReLU. */
    public Mmoe(Net net, String name, String group, int inputs, int[] expertUnits, int expertCount, int tasks,
            boolean linearExperts) {
        this.net = net;
        for (int e = 0; e < expertCount; e++) {
            experts.add(new Mlp(net, name + "/expert" + e, group, inputs, expertUnits, linearExperts));
        }
        for (int k = 0; k < tasks; k++) {
            gates.add(net.glorot(name + "/gate" + k, group, inputs, expertCount));
        }
    }

    public int outputs() {
        return experts.get(0).outputs();
    }

    /** Output of task {@code task}'s gate for input {@code x}: [batch, expert output width]. */
    public Operand<TFloat32> apply(Operand<TFloat32> x, int task) {
        Ops tf = net.tf();
        List<Operand<TFloat32>> stacked = new ArrayList<>();
        for (Mlp expert : experts) {
            stacked.add(tf.expandDims(expert.apply(x), tf.constant(1)));
        }
        Operand<TFloat32> all = tf.concat(stacked, tf.constant(1)); // [batch, experts, width]
        Operand<TFloat32> weights = tf.nn.softmax(tf.linalg.matMul(x, gates.get(task).read())); // [batch, experts]
        Operand<TFloat32> weighted = tf.math.mul(all, tf.expandDims(weights, tf.constant(2)));
        return tf.reduceSum(weighted, tf.constant(1), ReduceSum.keepDims(false));
    }
}

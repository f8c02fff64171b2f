package dev.transflow.model.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.List;

/** DCN cross network (explicit feature crosses): {@code x_{l+1} = x_0 * (x_l . w_l) + b_l + x_l}. */
public final class CrossNetwork {

    private final Net net;
    private final List<Net.Param> weights = new ArrayList<>();
    private final List<Net.Param> biases = new ArrayList<>();

    public CrossNetwork(Net net, String name, String group, int width, int layers) {
        this.net = net;
        for (int l = 0; l < layers; l++) {
            weights.add(net.glorot(name + "/w" + l, group, width, 1));
            biases.add(net.constant(name + "/b" + l, group, 0f, width));
        }
    }

    public Operand<TFloat32> apply(Operand<TFloat32> x0) {
        Ops tf = net.tf();
        Operand<TFloat32> x = x0;
        for (int l = 0; l < weights.size(); l++) {
            Operand<TFloat32> projection = tf.linalg.matMul(x, weights.get(l).read()); // [batch, 1]
            x = tf.math.add(tf.math.add(tf.math.mul(x0, projection), biases.get(l).read()), x);
        }
        return x;
    }
}

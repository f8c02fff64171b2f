package dev.transflow.model.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** A fully connected layer: {@code y = act(x W + b)}. */
public final class Dense {

    public enum Activation { NONE, RELU, SIGMOID }

    private final Net net;
    private final Net.Param weight;
    private final Net.Param bias;
    private final Activation activation;
    private final int units;

    public Dense(Net net, String name, String group, int inputs, int units, Activation activation) {
        this.net = net;
        this.weight = net.glorot(name + "/w", group, inputs, units);
        this.bias = net.constant(name + "/b", group, 0f, units);
        this.activation = activation;
        this.units = units;
    }

    public int units() {
        return units;
    }

    public Net.Param weight() {
        return weight;
    }

    public Net.Param bias() {
        return bias;
    }

    /** Applies the layer to {@code x} of shape [batch, inputs]. */
    public Operand<TFloat32> apply(Operand<TFloat32> x) {
        Ops tf = net.tf();
        Operand<TFloat32> y = tf.math.add(tf.linalg.matMul(x, weight.read()), bias.read());
        switch (activation) {
            case RELU: return tf.nn.relu(y);
            case SIGMOID: return tf.math.sigmoid(y);
            default: return y;
        }
    }
}

package dev.transflow.model.nn;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.List;

/**
 * Stacked dense layers with ReLU; the last layer is linear when {@code linearOutput}. With a dropout rate, every
 * hidden layer's output is dropped out while training (never the output layer's).
 */
public final class Mlp {

    private final Net net;
    private final String name;
    private final float dropout;
    private final List<Dense> layers = new ArrayList<>();

    public Mlp(Net net, String name, String group, int inputs, int[] units, boolean linearOutput) {
        this(net, name, group, inputs, units, linearOutput, 0f);
    }

    public Mlp(Net net, String name, String group, int inputs, int[] units, boolean linearOutput, float dropout) {
        this.net = net;
        this.name = name;
        this.dropout = dropout;
        int in = inputs;
        for (int i = 0; i < units.length; i++) {
            boolean last = i == units.length - 1;
            layers.add(new Dense(net, name + "/" + i, group, in, units[i],
                    last && linearOutput ? Dense.Activation.NONE : Dense.Activation.RELU));
            in = units[i];
        }
    }

    public int outputs() {
        return layers.get(layers.size() - 1).units();
    }

    /** The last layer's weight matrix. */
    public Net.Param outputWeight() {
        return layers.get(layers.size() - 1).weight();
    }

    /** The last layer's bias: a click tower's output bias starts at the log-odds of the click rate. */
    public Net.Param outputBias() {
        return layers.get(layers.size() - 1).bias();
    }

    public Operand<TFloat32> apply(Operand<TFloat32> x) {
        Operand<TFloat32> y = x;
        for (int i = 0; i < layers.size(); i++) {
            y = layers.get(i).apply(y);
            if (i < layers.size() - 1) {
                y = net.dropout(y, dropout, name + "/dropout" + i);
            }
        }
        return y;
    }
}

package dev.transflow.model.nn;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.List;

/** Stacked dense layers with ReLU; the last layer is linear when {@code linearOutput}. */
public final class Mlp {

    private final List<Dense> layers = new ArrayList<>();

    public Mlp(Net net, String name, String group, int inputs, int[] units, boolean linearOutput) {
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

    public Operand<TFloat32> apply(Operand<TFloat32> x) {
        Operand<TFloat32> y = x;
        for (Dense layer : layers) {
            y = layer.apply(y);
        }
        return y;
    }
}

package dev.transflow.model.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** GLU-style gate that plugs transferred knowledge in: {@code gate(m) = (m W1 + b1) * sigmoid(m W2 + b2)}. */
public final class KnowledgeGate {

    private final Net net;
    private final Dense value;
    private final Dense gate;

    public KnowledgeGate(Net net, String name, String group, int knowledgeWidth, int outputWidth) {
        this.net = net;
        this.value = new Dense(net, name + "/value", group, knowledgeWidth, outputWidth, Dense.Activation.NONE);
        this.gate = new Dense(net, name + "/gate", group, knowledgeWidth, outputWidth, Dense.Activation.SIGMOID);
    }

    public Operand<TFloat32> apply(Operand<TFloat32> knowledge) {
        Ops tf = net.tf();
        return tf.math.mul(value.apply(knowledge), gate.apply(knowledge));
    }

    /** {@code own + gate(knowledge)}: the MKT way of adding a frozen model's vector to the target model's own. */
    public Operand<TFloat32> plug(Operand<TFloat32> own, Operand<TFloat32> knowledge) {
        return net.tf().math.add(own, apply(knowledge));
    }
}

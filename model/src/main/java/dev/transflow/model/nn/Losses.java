package dev.transflow.model.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/** Loss and similarity functions built from ops that have C++ gradients. */
public final class Losses {

    private Losses() {}

    /** Mean binary cross-entropy of logits: {@code max(x, 0) - x z + log(1 + exp(-|x|))}. */
    public static Operand<TFloat32> binaryCrossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels) {
        return tf.math.mean(perSampleBce(tf, logits, labels), tf.constant(new int[] {0, 1}));
    }

    /** Summed binary cross-entropy of logits: 0, not NaN, for a batch without rows. */
    public static Operand<TFloat32> binaryCrossEntropySum(Ops tf, Operand<TFloat32> logits,
            Operand<TFloat32> labels) {
        return tf.reduceSum(perSampleBce(tf, logits, labels), tf.constant(new int[] {0, 1}));
    }

    private static Operand<TFloat32> perSampleBce(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels) {
        return tf.math.add(tf.math.sub(tf.nn.relu(logits), tf.math.mul(logits, labels)),
                tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(logits)))));
    }

    /** The mean of a [batch] vector, 0 (not NaN) for a batch without rows. */
    public static Operand<TFloat32> meanOrZero(Ops tf, Operand<TFloat32> values) {
        Operand<TFloat32> n = tf.dtypes.cast(tf.size(values), TFloat32.class);
        return tf.math.div(tf.reduceSum(values, tf.constant(0)), tf.math.maximum(n, tf.constant(1f)));
    }

    /** Cosine similarity per row: {@code a.b / (|a| |b|)}, shape [batch]. */
    public static Operand<TFloat32> cosine(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
        Operand<TFloat32> dot = tf.reduceSum(tf.math.mul(a, b), tf.constant(1), ReduceSum.keepDims(false));
        Operand<TFloat32> na = tf.math.sqrt(tf.math.add(tf.reduceSum(tf.math.mul(a, a), tf.constant(1),
                ReduceSum.keepDims(false)), tf.constant(1e-8f)));
        Operand<TFloat32> nb = tf.math.sqrt(tf.math.add(tf.reduceSum(tf.math.mul(b, b), tf.constant(1),
                ReduceSum.keepDims(false)), tf.constant(1e-8f)));
        return tf.math.div(dot, tf.math.mul(na, nb));
    }
}

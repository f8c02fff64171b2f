package dev.transflow.model.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * DIN-style target attention: each behaviour-sequence element {@code k_i} is scored against the candidate item
 * {@code q} by an MLP over {@code [q, k_i, q - k_i, q * k_i]}, padding is masked, and the sequence is pooled as
 * {@code sum_i softmax(score)_i k_i}. An empty sequence pools to zeros.
 */
public final class TargetAttention {

    private final Net net;
    private final int dim;
    private final Net.Param wq;
    private final Net.Param wk;
    private final Net.Param wd;
    private final Net.Param wp;
    private final Net.Param b;
    private final Dense score;

    public TargetAttention(Net net, String name, String group, int dim, int hidden) {
        this.net = net;
        this.dim = dim;
        // The first layer over the concatenation, split into its four blocks (no tiling of q is needed).
        wq = net.glorot(name + "/wq", group, dim, hidden);
        wk = net.glorot(name + "/wk", group, dim, hidden);
        wd = net.glorot(name + "/wd", group, dim, hidden);
        wp = net.glorot(name + "/wp", group, dim, hidden);
        b = net.constant(name + "/b", group, 0f, hidden);
        score = new Dense(net, name + "/score", group, hidden, 1, Dense.Activation.NONE);
    }

    /**
     * @param query [batch, dim]
     * @param keys [batch, length, dim]
     * @param lengths [batch] valid elements of each sequence
     * @return [batch, dim]
     */
    public Operand<TFloat32> apply(Operand<TFloat32> query, Operand<TFloat32> keys, Operand<TInt32> lengths,
            int length) {
        Ops tf = net.tf();
        Operand<TFloat32> q = tf.expandDims(query, tf.constant(1)); // [batch, 1, dim]
        Operand<TFloat32> flatKeys = tf.reshape(keys, tf.constant(new long[] {-1, dim}));
        Operand<TFloat32> diff = tf.reshape(tf.math.sub(q, keys), tf.constant(new long[] {-1, dim}));
        Operand<TFloat32> prod = tf.reshape(tf.math.mul(q, keys), tf.constant(new long[] {-1, dim}));
        Operand<TFloat32> fromQuery = tf.expandDims(tf.linalg.matMul(query, wq.read()), tf.constant(1));
        Operand<TFloat32> perKey = tf.math.add(tf.math.add(tf.linalg.matMul(flatKeys, wk.read()),
                tf.linalg.matMul(diff, wd.read())), tf.linalg.matMul(prod, wp.read()));
        long hidden = wq.shape()[1];
        Operand<TFloat32> h = tf.nn.relu(tf.math.add(tf.math.add(
                tf.reshape(perKey, tf.constant(new long[] {-1, length, hidden})), fromQuery), b.read()));
        Operand<TFloat32> scores = tf.reshape(score.apply(tf.reshape(h, tf.constant(new long[] {-1, hidden}))),
                tf.constant(new long[] {-1, length})); // [batch, length]
        Operand<TFloat32> mask = tf.dtypes.cast(tf.math.less(tf.range(tf.constant(0), tf.constant(length),
                tf.constant(1)), tf.expandDims(lengths, tf.constant(1))), TFloat32.class); // [batch, length]
        Operand<TFloat32> masked = tf.math.add(scores, tf.math.mul(tf.math.sub(mask, tf.constant(1f)),
                tf.constant(1e9f)));
        Operand<TFloat32> weights = tf.math.mul(tf.nn.softmax(masked), mask);
        Operand<TFloat32> pooled = tf.math.mul(keys, tf.expandDims(weights, tf.constant(2)));
        return tf.reduceSum(pooled, tf.constant(1), ReduceSum.keepDims(false));
    }
}

package dev.transflow.model.mkt;

import dev.transflow.model.nn.Losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * PDL (MKT §3.2.4): {@code cos(g_com_s, g_ind_s) + cos(g_com_t, g_ind_t)}, averaged over each batch. Minimised, it
 * pushes common and independent knowledge apart.
 */
public final class PolarizedDistributionLoss {

    private PolarizedDistributionLoss() {}

    public static Operand<TFloat32> of(Ops tf, Operand<TFloat32> commonSource, Operand<TFloat32> independentSource,
            Operand<TFloat32> commonTarget, Operand<TFloat32> independentTarget) {
        Operand<TFloat32> source = tf.math.mean(Losses.cosine(tf, commonSource, independentSource), tf.constant(0));
        Operand<TFloat32> target = tf.math.mean(Losses.cosine(tf, commonTarget, independentTarget), tf.constant(0));
        return tf.math.add(source, target);
    }
}

package dev.transflow.model.mkt;

import dev.transflow.model.nn.Losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * PDL (MKT §3.2.4): {@code cos(g_com_s, g_ind_s) + cos(g_com_t, g_ind_t)}, averaged over each batch; a domain
 * without rows in the batch contributes 0. Minimised, it pushes common and independent knowledge apart.
 */
public final class PolarizedDistributionLoss {

    private PolarizedDistributionLoss() {}

    public static Operand<TFloat32> of(Ops tf, Operand<TFloat32> commonSource, Operand<TFloat32> independentSource,
            Operand<TFloat32> commonTarget, Operand<TFloat32> independentTarget) {
        // A domain without rows in the batch adds nothing (a MEM step of one domain, when the other stalls).
        Operand<TFloat32> source = Losses.meanOrZero(tf, Losses.cosine(tf, commonSource, independentSource));
        Operand<TFloat32> target = Losses.meanOrZero(tf, Losses.cosine(tf, commonTarget, independentTarget));
        return tf.math.add(source, target);
    }
}

package dev.transflow.model.nn;

import dev.transflow.schemas.Domain;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * One domain's numeric features, standardized with statistics of the training rows:
 * {@code z = (x - mean) / std}, and 0 with {@code missing = 1} where {@code x} is NaN, so that a missing value is
 * not mistaken for an average (or a zero) one. The statistics are parameters that no optimizer changes; they
 * travel with checkpoints and snapshots, so serving standardizes exactly as training did.
 */
public final class NumericInput {

    /** Standardized values and missing indicators, both [batch, features]. */
    public record Standardized(Operand<TFloat32> values, Operand<TFloat32> missing) {}

    private final Net net;
    private final Net.Param mean;
    private final Net.Param std;
    private final int features;
    private final Domain domain;

    public NumericInput(Net net, String name, String group, Domain domain, int features) {
        this.net = net;
        this.features = features;
        this.domain = domain;
        this.mean = net.statistic(name + "/mean", group, 0f, Math.max(1, features));
        this.std = net.statistic(name + "/std", group, 1f, Math.max(1, features));
        net.register(this);
    }

    public Domain domain() {
        return domain;
    }

    public int features() {
        return features;
    }

    public Net.Param mean() {
        return mean;
    }

    public Net.Param std() {
        return std;
    }

    /** @param x raw (transformed) values [batch, features], NaN where missing */
    public Standardized apply(Operand<TFloat32> x) {
        Ops tf = net.tf();
        Operand<TFloat32> missing = tf.dtypes.cast(tf.math.isNan(x), TFloat32.class);
        Operand<TFloat32> present = tf.math.sub(tf.constant(1f), missing);
        Operand<TFloat32> filled = tf.select(tf.math.isNan(x), tf.zerosLike(x), x);
        Operand<TFloat32> z = tf.math.mul(tf.math.div(tf.math.sub(filled, mean.read()), std.read()), present);
        return new Standardized(z, missing);
    }
}

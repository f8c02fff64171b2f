package dev.transflow.model.nn;

import dev.transflow.schemas.Domain;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * One domain's numeric features, standardized with statistics of the training rows:
 * {@code z = (x - mean) / std}, and 0 with {@code missing = 1} where {@code x} is NaN, so that a missing value is
 * not mistaken for an average (or a zero) one. The statistics are parameters that no optimizer changes; they
 * travel with checkpoints and snapshots, so serving standardizes exactly as training did. Offline they come from a
 * stage's training rows; a continual trainer merges every batch into them ({@link #merge}), with the number of
 * values seen kept beside them.
 */
public final class NumericInput {

    /** Standardized values and missing indicators, both [batch, features]. */
    public record Standardized(Operand<TFloat32> values, Operand<TFloat32> missing) {}

    private final Net net;
    private final Net.Param mean;
    private final Net.Param std;
    private final Net.Param count;
    private final int features;
    private final Domain domain;

    public NumericInput(Net net, String name, String group, Domain domain, int features) {
        this.net = net;
        this.features = features;
        this.domain = domain;
        this.mean = net.statistic(name + "/mean", group, 0f, Math.max(1, features));
        this.std = net.statistic(name + "/std", group, 1f, Math.max(1, features));
        this.count = net.statistic(name + "/count", group, 0f, Math.max(1, features));
        net.register(this);
    }

    /**
     * Beyond this many values the running statistics stop growing their weight: older values then fade like in a
     * moving average, so the statistics follow a drifting stream instead of freezing.
     */
    public static final double RUNNING_HORIZON = 1_000_000;

    /**
     * Merges a batch's moments into running statistics of one feature (Chan et al.'s pairwise update):
     * {@code n = n_a + n_b, mean = mean_a + d n_b / n, M2 = M2_a + M2_b + d^2 n_a n_b / n} with
     * {@code d = mean_b - mean_a} and {@code M2 = var (n - 1)}.
     *
     * @return {@code {count, mean, std}}, the count capped at {@link #RUNNING_HORIZON}
     */
    public static double[] merge(double countA, double meanA, double stdA, double countB, double meanB, double m2B) {
        if (countB <= 0) {
            return new double[] {countA, meanA, stdA};
        }
        if (countA <= 0) {
            // Nothing to merge with: the batch's own statistics, exactly.
            double var = countB < 2 ? 0 : m2B / (countB - 1);
            return new double[] {Math.min(countB, RUNNING_HORIZON), meanB, var > 1e-12 ? Math.sqrt(var) : 1};
        }
        double n = countA + countB;
        double d = meanB - meanA;
        double mean = meanA + d * countB / n;
        double m2 = stdA * stdA * Math.max(0, countA - 1) + m2B + d * d * countA * countB / n;
        double var = n < 2 ? 0 : m2 / (n - 1);
        double std = var > 1e-12 ? Math.sqrt(var) : 1;
        return new double[] {Math.min(n, RUNNING_HORIZON), mean, std};
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

    /** How many present values the statistics stand for (capped at {@link #RUNNING_HORIZON}). */
    public Net.Param count() {
        return count;
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

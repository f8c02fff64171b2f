package dev.transflow.model.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * Second-order feature crosses of field embeddings, as in factorization machines. {@link #userItem}: only the
 * pairs of one user-side and one item-side field, {@code <sum_u e_u, sum_i e_i>}, the cross that carries personal
 * taste; {@link #allPairs}: every pair, {@code 0.5 * ((sum_f e_f)^2 - sum_f e_f^2)} summed over dimensions (DeepFM).
 * Both cost one pass over the fields and have no parameters of their own.
 */
public final class FactorizationMachine {

    private FactorizationMachine() {}

    /** @param user [batch, userFields, dim] @param item [batch, itemFields, dim] @return [batch, 1] */
    public static Operand<TFloat32> userItem(Ops tf, Operand<TFloat32> user, Operand<TFloat32> item) {
        Operand<TFloat32> u = tf.reduceSum(user, tf.constant(1));
        Operand<TFloat32> i = tf.reduceSum(item, tf.constant(1));
        return tf.reduceSum(tf.math.mul(u, i), tf.constant(1), ReduceSum.keepDims(true));
    }

    /** @param fields [batch, fields, dim] @return [batch, 1] */
    public static Operand<TFloat32> allPairs(Ops tf, Operand<TFloat32> fields) {
        Operand<TFloat32> sum = tf.reduceSum(fields, tf.constant(1));
        Operand<TFloat32> sumOfSquares = tf.reduceSum(tf.math.mul(fields, fields), tf.constant(1));
        Operand<TFloat32> pairs = tf.math.mul(tf.constant(0.5f), tf.math.sub(tf.math.mul(sum, sum), sumOfSquares));
        return tf.reduceSum(pairs, tf.constant(1), ReduceSum.keepDims(true));
    }
}

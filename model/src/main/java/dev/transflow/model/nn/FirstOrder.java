package dev.transflow.model.nn;

import dev.transflow.model.feature.DomainLayout;
import dev.transflow.schemas.Domain;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

import java.util.EnumMap;
import java.util.Map;

/**
 * The wide (first-order, logistic-regression) term: {@code sum_f w[x_f] + sum_j (a_j z_j + m_j missing_j)} over a
 * batch's categorical rows and standardized numeric values. The weights of categorical values are a one-column
 * embedding table, updated sparsely like every embedding; numeric weights belong to each domain.
 */
public final class FirstOrder {

    private final Net net;
    private final EmbeddingTable weights;
    private final Map<Domain, Net.Param> numericWeights = new EnumMap<>(Domain.class);
    private final Map<Domain, Net.Param> missingWeights = new EnumMap<>(Domain.class);

    public FirstOrder(Net net, String name, String group, long vocabulary, Map<Domain, DomainLayout> layouts) {
        this.net = net;
        // Zero start: a fresh wide term predicts the output bias alone, like an unfitted logistic regression.
        this.weights = new EmbeddingTable(net, name + "/weights", group, vocabulary, 1, 0);
        for (Map.Entry<Domain, DomainLayout> e : layouts.entrySet()) {
            int n = Math.max(1, e.getValue().numericWidth());
            String d = e.getKey().name().toLowerCase();
            numericWeights.put(e.getKey(), net.constant(name + "/numeric_" + d, group, 0f, n, 1));
            missingWeights.put(e.getKey(), net.constant(name + "/missing_" + d, group, 0f, n, 1));
        }
    }

    /** [batch, 1] */
    public Operand<TFloat32> apply(BatchInputs in, NumericInput.Standardized numeric) {
        Ops tf = net.tf();
        Operand<TFloat32> categorical = tf.reduceSum(tf.reshape(weights.lookup(in.categorical),
                tf.constant(new long[] {-1, in.layout.categoricalWidth()})), tf.constant(1), ReduceSum.keepDims(true));
        if (in.layout.numericWidth() == 0) {
            return categorical;
        }
        Domain d = in.layout.domain();
        Operand<TFloat32> numericTerm = tf.math.add(tf.linalg.matMul(numeric.values(), numericWeights.get(d).read()),
                tf.linalg.matMul(numeric.missing(), missingWeights.get(d).read()));
        return tf.math.add(categorical, numericTerm);
    }
}

package dev.transflow.model.mkt;

import dev.transflow.model.nn.CrossNetwork;
import dev.transflow.model.nn.Dense;
import dev.transflow.model.nn.Mlp;
import dev.transflow.model.nn.Net;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

import java.util.List;

/**
 * HFA (MKT §3.2.2) for one entity type. With {@code x = [v_spec; v_shared]} (the text: the crosses are "between
 * entity-specific features and shared features (user profile, click sequence, entity-shared feature)"),
 * {@code p = 2 * sigmoid(FC([DCN(x); MLP(x)]))} gives one importance score per specific feature (eq. 4), and
 * {@code out = MLP(flatten(p_i * e_i))} maps the reweighted specific features to the width both entity types share
 * (eqs. 5-6). Disabled (ablation), it is the plain projection {@code out = MLP(v_spec)}.
 */
public final class HeterogeneousFeatureAlignment {

    private final Net net;
    private final int fields;
    private final int dim;
    private final boolean enabled;
    private final CrossNetwork explicit;
    private final Mlp implicit;
    private final Dense importance;
    private final Mlp align;

    public HeterogeneousFeatureAlignment(Net net, String name, String group, int fields, int dim, int sharedWidth,
            int alignedWidth, boolean enabled) {
        this.net = net;
        this.fields = fields;
        this.dim = dim;
        // Without specific features there is nothing to weigh: project the zero column.
        this.enabled = enabled && fields > 0;
        int width = Math.max(1, fields * dim);
        if (this.enabled) {
            int crossWidth = width + sharedWidth;
            explicit = new CrossNetwork(net, name + "/cross", group, crossWidth, 2);
            implicit = new Mlp(net, name + "/implicit", group, crossWidth, new int[] {32}, false);
            importance = new Dense(net, name + "/importance", group, crossWidth + 32, fields,
                    Dense.Activation.SIGMOID);
        } else {
            explicit = null;
            implicit = null;
            importance = null;
        }
        align = new Mlp(net, name + "/align", group, width, new int[] {alignedWidth}, false);
    }

    /**
     * @param specific flattened specific-feature embeddings [batch, fields * dim]
     * @param shared the shared features {@code [user; sequence; shared]} the importance scores also read
     */
    public Operand<TFloat32> apply(Operand<TFloat32> specific, Operand<TFloat32> shared) {
        if (!enabled) {
            return align.apply(specific);
        }
        Ops tf = net.tf();
        Operand<TFloat32> x = tf.concat(List.of(specific, shared), tf.constant(1));
        Operand<TFloat32> crossed = tf.concat(List.of(explicit.apply(x), implicit.apply(x)), tf.constant(1));
        Operand<TFloat32> scores = tf.math.mul(importance.apply(crossed), tf.constant(2f)); // (0, 2) per field
        Operand<TFloat32> perField = tf.reshape(specific, tf.constant(new long[] {-1, fields, dim}));
        Operand<TFloat32> reweighted = tf.math.mul(perField, tf.expandDims(scores, tf.constant(2)));
        return align.apply(tf.reshape(reweighted, tf.constant(new long[] {-1, (long) fields * dim})));
    }
}

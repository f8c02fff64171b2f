package dev.transflow.model.nn;

import dev.transflow.model.feature.DomainLayout;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.schemas.Domain;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the deep models share below their own networks: the embedded feature groups ({@link InputEncoder}), the
 * wide first-order term ({@link FirstOrder}) and an explicit second-order cross ({@link FactorizationMachine}).
 * A model's logit is {@code deep(x) + wide(x) + cross(x)}: the network learns what the two shallow terms cannot,
 * and a young model is never worse than the logistic regression inside it.
 */
public final class Backbone {

    /** Which explicit cross the backbone adds. */
    public enum Cross {
        NONE,
        /** User-side fields (profile, sequences) against item-side fields (shared, specific): FM, bipartite. */
        USER_ITEM,
        /** Every pair of fields (DeepFM). */
        ALL_PAIRS
    }

    /** How a backbone is built. */
    public record Spec(InputEncoder.Pooling pooling, boolean wide, Cross cross) {
        /** Target attention, wide term and user-item cross: what every transfer model here builds on. */
        public static final Spec FULL = new Spec(InputEncoder.Pooling.ATTENTION, true, Cross.USER_ITEM);
        /** Embeddings with mean-pooled sequences and nothing else: a plain MLP's input. */
        public static final Spec PLAIN = new Spec(InputEncoder.Pooling.MEAN, false, Cross.NONE);
        /** Mean-pooled sequences, wide term and every pairwise cross: DeepFM. */
        public static final Spec DEEPFM = new Spec(InputEncoder.Pooling.MEAN, true, Cross.ALL_PAIRS);
    }

    /** The embedded groups and the shallow part of the logit [batch, 1] (zeros without wide term or cross). */
    public record Encoded(InputEncoder.Encoded groups, Operand<TFloat32> shallowLogit) {}

    private final Net net;
    private final InputEncoder inputs;
    private final FirstOrder wide;
    private final Cross cross;

    public Backbone(Net net, String name, String group, SampleEncoder encoder, Spec spec) {
        this.net = net;
        this.inputs = new InputEncoder(net, name, group, encoder, spec.pooling());
        boolean withWide = spec.wide();
        Cross cross = spec.cross();
        Map<Domain, DomainLayout> layouts = new EnumMap<>(Domain.class);
        for (Domain d : Domain.values()) {
            layouts.put(d, encoder.layout(d));
        }
        this.wide = withWide ? new FirstOrder(net, name + "/wide", group, encoder.schema().totalVocabulary(), layouts)
                : null;
        this.cross = cross;
    }

    public boolean hasWide() {
        return wide != null;
    }

    /** The wide term alone [batch, 1]: the logistic regression inside the network (without its bias). */
    public Operand<TFloat32> wideLogit(BatchInputs in) {
        if (wide == null) {
            throw new IllegalStateException("This backbone has no wide term");
        }
        return wide.apply(in, inputs.standardized(in));
    }

    public InputEncoder inputs() {
        return inputs;
    }

    public Encoded encode(BatchInputs in) {
        Ops tf = net.tf();
        InputEncoder.Encoded e = inputs.encode(in);
        Operand<TFloat32> shallow = null;
        if (wide != null) {
            shallow = wide.apply(in, e.numeric());
        }
        Operand<TFloat32> second = switch (cross) {
            case USER_ITEM -> FactorizationMachine.userItem(tf, e.userFields(), e.itemFields());
            case ALL_PAIRS -> FactorizationMachine.allPairs(tf, tf.concat(List.of(e.userFields(),
                    e.itemFields()), tf.constant(1)));
            case NONE -> null;
        };
        if (second != null) {
            shallow = shallow == null ? second : tf.math.add(shallow, second);
        }
        if (shallow == null) {
            shallow = tf.math.mul(tf.reduceSum(e.sequence(), tf.constant(1),
                    ReduceSum.keepDims(true)), tf.constant(0f));
        }
        return new Encoded(e, shallow);
    }
}

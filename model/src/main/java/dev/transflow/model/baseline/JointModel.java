package dev.transflow.model.baseline;

import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.nn.Backbone;
import dev.transflow.model.nn.BatchInputs;
import dev.transflow.model.nn.Dense;
import dev.transflow.model.nn.InputEncoder;
import dev.transflow.model.nn.Losses;
import dev.transflow.model.nn.Mlp;
import dev.transflow.model.nn.Mmoe;
import dev.transflow.model.train.GraphModel;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.model.train.Optimizer;
import dev.transflow.schemas.Domain;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.List;

/**
 * Joint multi-domain baselines trained on source and target together, {@code loss = BCE_s + BCE_t}, with one
 * tower per domain over a shared part: {@link Kind#SHARED_BOTTOM} (one MLP for both domains) or {@link Kind#MMOE}
 * (experts with one gate per domain), on the full backbone (its wide term and cross added to each domain's logit).
 * Each domain's specific features get their own projection to a common width.
 */
public final class JointModel extends GraphModel {

    public enum Kind { SHARED_BOTTOM, MMOE }

    private static final String GROUP = "joint";

    private final String name;
    private final Op step;
    private final List<Head> heads = new ArrayList<>();

    public JointModel(String name, Kind kind, SampleEncoder encoder, ModelConfig config, long seed) {
        super(encoder, config, seed);
        this.name = name;
        Ops tf = net.tf();
        Backbone backbone = new Backbone(net, "joint", GROUP, encoder, Backbone.Spec.FULL);
        Operand<TFloat32> loss = null;
        Mlp bottom = null;
        Mmoe mmoe = null;
        for (Domain d : Domain.values()) {
            BatchInputs in = d == Domain.SOURCE ? sourceInputs : targetInputs;
            Backbone.Encoded encoded = backbone.encode(in);
            InputEncoder.Encoded e = encoded.groups();
            String tag = d.name().toLowerCase();
            Dense projection = new Dense(net, "specific_" + tag, GROUP, e.specificWidth(), config.specificWidth(),
                    Dense.Activation.RELU);
            Operand<TFloat32> x = tf.concat(List.of(e.user(), e.sequence(), e.shared(), projection.apply(e.specific())),
                    tf.constant(1));
            int width = e.userWidth() + e.sequenceWidth() + e.sharedWidth() + config.specificWidth();
            Operand<TFloat32> hidden;
            if (kind == Kind.SHARED_BOTTOM) {
                if (bottom == null) {
                    bottom = new Mlp(net, "bottom", GROUP, width, config.sharedUnits(), false, config.dropout());
                }
                hidden = bottom.apply(x);
            } else {
                if (mmoe == null) {
                    mmoe = new Mmoe(net, "mmoe", GROUP, width, config.sharedUnits(), config.experts(), 2);
                }
                hidden = mmoe.apply(x, d.ordinal());
            }
            Mlp tower = new Mlp(net, "tower_" + tag, GROUP, config.crossWidth(), config.towerUnits(), true,
                    config.dropout());
            heads.add(new Head(d, tower.outputBias()));
            Operand<TFloat32> logits = tf.math.add(tower.apply(hidden), encoded.shallowLogit());
            if (d == Domain.TARGET) {
                setTargetLogits(logits);
            }
            Operand<TFloat32> bce = Losses.binaryCrossEntropy(tf, logits, in.labels);
            loss = loss == null ? bce : tf.math.add(loss, bce);
        }
        step = Optimizer.minimize(net, "joint_train", loss, net.params(GROUP), net.tables(GROUP), config);
        start();
        for (Head head : heads) {
            initializeBias(head.bias(), head.domain() == Domain.SOURCE ? PRIOR_SOURCE_CLICK_RATE
                    : PRIOR_TARGET_CLICK_RATE);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void trainTarget(EncodedSamples target, int from, int to) {
        throw new UnsupportedOperationException(name + " trains on both domains at once; it has no target-only step");
    }

    @Override
    protected void train(EncodedSamples source, int sourceEnd, EncodedSamples target, int targetEnd) {
        runStage(new Stage("joint", step, List.of(Domain.SOURCE, Domain.TARGET), Domain.TARGET, targetScore(),
                List.of(GROUP), heads, config.maxJointEpochs()), source, sourceEnd, target, targetEnd);
    }
}

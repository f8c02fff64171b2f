package dev.transflow.model.mkt;

import dev.transflow.model.feature.FeatureGroup;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.nn.BatchInputs;
import dev.transflow.model.nn.Dense;
import dev.transflow.model.nn.InputEncoder;
import dev.transflow.model.nn.KnowledgeGate;
import dev.transflow.model.nn.Mlp;
import dev.transflow.model.nn.Net;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.schemas.Domain;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * TEM (MKT stage 2): a plain CTR network with its own embeddings, {@code MLP[128, 64, 16, 1]} over
 * {@code [user; sequence; shared; specific]}. With MEM knowledge, each of user, sequence and shared becomes
 * {@code own + gate(mem)} and {@code gate(g_com)} joins the input; MEM is read through stop-gradient and never
 * trained here. Without knowledge it is the single-domain MLP baseline, and the network Finetune pre-trains.
 */
public final class TargetEntityModel {

    public static final String GROUP = "tem";

    private final Net net;
    private final InputEncoder inputs;
    private final Map<Domain, Dense> specificProjection = new EnumMap<>(Domain.class);
    private final Mlp mlp;
    private final int specificWidth;
    private KnowledgeGate userGate;
    private KnowledgeGate sequenceGate;
    private KnowledgeGate sharedGate;
    private KnowledgeGate commonGate;

    public TargetEntityModel(Net net, SampleEncoder encoder, ModelConfig config, boolean withKnowledge,
            MultiEntityModel.Knowledge knowledgeShape) {
        this.net = net;
        this.inputs = new InputEncoder(net, "tem", GROUP, encoder);
        this.specificWidth = config.specificWidth();
        int userWidth = 0;
        int sequenceWidth = 0;
        int sharedWidth = 0;
        for (Domain d : Domain.values()) {
            var layout = encoder.layout(d);
            int dim = encoder.schema().embeddingDim();
            int fields = layout.categoricalCount(FeatureGroup.SPECIFIC)
                    + layout.numericCount(FeatureGroup.SPECIFIC);
            // Entity types have different specific features: each gets its own projection to a common width.
            specificProjection.put(d, new Dense(net, "specific_" + d.name().toLowerCase(), GROUP,
                    Math.max(1, fields * dim), specificWidth, Dense.Activation.RELU));
            userWidth = (layout.categoricalCount(FeatureGroup.USER)
                    + layout.numericCount(FeatureGroup.USER)) * dim;
            sharedWidth = (layout.categoricalCount(FeatureGroup.SHARED)
                    + layout.numericCount(FeatureGroup.SHARED)) * dim;
            sequenceWidth = 2 * dim;
        }
        int width = userWidth + sequenceWidth + sharedWidth + specificWidth;
        if (withKnowledge) {
            userGate = new KnowledgeGate(net, "gate_user", GROUP, knowledgeShape.userWidth(), userWidth);
            sequenceGate = new KnowledgeGate(net, "gate_sequence", GROUP, knowledgeShape.sequenceWidth(), sequenceWidth);
            sharedGate = new KnowledgeGate(net, "gate_shared", GROUP, knowledgeShape.sharedWidth(), sharedWidth);
            commonGate = new KnowledgeGate(net, "gate_common", GROUP, knowledgeShape.commonWidth(), specificWidth);
            width += specificWidth;
        }
        this.mlp = new Mlp(net, "mlp", GROUP, width, config.targetUnits(), true);
    }

    /** Logits for a batch of {@code inputs}' domain; {@code knowledge} is MEM's for the same batch, or null. */
    public Operand<TFloat32> logits(BatchInputs batch, MultiEntityModel.Knowledge knowledge) {
        Ops tf = net.tf();
        InputEncoder.Encoded own = inputs.encode(batch);
        Operand<TFloat32> projected = specificProjection.get(batch.layout.domain()).apply(own.specific());
        List<Operand<TFloat32>> parts = new ArrayList<>();
        if (knowledge != null && userGate != null) {
            parts.add(userGate.plug(own.user(), tf.stopGradient(knowledge.user())));
            parts.add(sequenceGate.plug(own.sequence(), tf.stopGradient(knowledge.sequence())));
            parts.add(sharedGate.plug(own.shared(), tf.stopGradient(knowledge.shared())));
            parts.add(projected);
            parts.add(commonGate.apply(tf.stopGradient(knowledge.common())));
        } else {
            parts.add(own.user());
            parts.add(own.sequence());
            parts.add(own.shared());
            parts.add(projected);
        }
        return mlp.apply(tf.concat(parts, tf.constant(1)));
    }
}

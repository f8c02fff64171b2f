package dev.transflow.model.mkt;

import dev.transflow.model.feature.FeatureGroup;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.nn.Backbone;
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

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * TEM (MKT stage 2): a CTR network with its own embeddings, {@code MLP[128, 64, 16, 1]} over
 * {@code [user; sequence; shared; specific]}, plus the backbone's wide term and user-item cross. Its first layers
 * ({@code [128, 64]}) give the user-entity cross representation {@code g_cross}, the layers after it the logit.
 * With MEM knowledge (MKT eq. 12), {@code g_cross_final = g_cross + gate(g_com_t)}, and user, sequence and shared
 * each become {@code own + gate(mem)}; MEM is read through stop-gradient and never trained here. Without
 * knowledge it is the single-domain DIN baseline, and the network Finetune pre-trains.
 */
public final class TargetEntityModel {

    public static final String GROUP = "tem";

    private final Net net;
    private final Backbone backbone;
    private final Map<Domain, Dense> specificProjection = new EnumMap<>(Domain.class);
    private final Mlp bottom;
    private final Mlp top;
    private KnowledgeGate userGate;
    private KnowledgeGate sequenceGate;
    private KnowledgeGate sharedGate;
    private KnowledgeGate crossGate;

    public TargetEntityModel(Net net, SampleEncoder encoder, ModelConfig config, boolean withKnowledge,
            MultiEntityModel.Knowledge knowledgeShape) {
        this(net, encoder, config, withKnowledge, knowledgeShape, Backbone.Spec.FULL);
    }

    public TargetEntityModel(Net net, SampleEncoder encoder, ModelConfig config, boolean withKnowledge,
            MultiEntityModel.Knowledge knowledgeShape, Backbone.Spec spec) {
        this.net = net;
        this.backbone = new Backbone(net, "tem", GROUP, encoder, spec);
        int specificWidth = config.specificWidth();
        int dim = encoder.schema().embeddingDim();
        int userWidth = 0;
        int sharedWidth = 0;
        for (Domain d : Domain.values()) {
            var layout = encoder.layout(d);
            int fields = layout.categoricalCount(FeatureGroup.SPECIFIC)
                    + layout.numericCount(FeatureGroup.SPECIFIC);
            // Entity types have different specific features: each gets its own projection to a common width.
            specificProjection.put(d, new Dense(net, "specific_" + d.name().toLowerCase(), GROUP,
                    Math.max(1, fields * dim), specificWidth, Dense.Activation.RELU));
            userWidth = (layout.categoricalCount(FeatureGroup.USER)
                    + layout.numericCount(FeatureGroup.USER)) * dim;
            sharedWidth = (layout.categoricalCount(FeatureGroup.SHARED)
                    + layout.numericCount(FeatureGroup.SHARED)) * dim;
        }
        int sequenceWidth = 2 * dim;
        int[] units = config.targetUnits();
        int split = Math.max(1, units.length - config.towerUnits().length);
        int[] bottomUnits = Arrays.copyOfRange(units, 0, split);
        int[] topUnits = Arrays.copyOfRange(units, split, units.length);
        int width = userWidth + sequenceWidth + sharedWidth + specificWidth;
        this.bottom = new Mlp(net, "mlp_bottom", GROUP, width, bottomUnits, false, config.dropout());
        this.top = new Mlp(net, "mlp_top", GROUP, bottom.outputs(), topUnits, true, config.dropout());
        if (withKnowledge) {
            userGate = new KnowledgeGate(net, "gate_user", GROUP, knowledgeShape.userWidth(), userWidth);
            sequenceGate = new KnowledgeGate(net, "gate_sequence", GROUP, knowledgeShape.sequenceWidth(), sequenceWidth);
            sharedGate = new KnowledgeGate(net, "gate_shared", GROUP, knowledgeShape.sharedWidth(), sharedWidth);
            crossGate = new KnowledgeGate(net, "gate_cross", GROUP, knowledgeShape.commonWidth(), bottom.outputs());
        }
    }

    /** The output layers: their bias starts at the target click rate's log-odds. */
    public Mlp head() {
        return top;
    }

    public boolean hasWide() {
        return backbone.hasWide();
    }

    /** {@code wide(x) + b}: the network's own logistic regression, with the output layer's bias. */
    public Operand<TFloat32> wideLogits(BatchInputs batch) {
        return net.tf().math.add(backbone.wideLogit(batch), top.outputBias().read());
    }

    /** Logits for a batch of {@code inputs}' domain; {@code knowledge} is MEM's for the same batch, or null. */
    public Operand<TFloat32> logits(BatchInputs batch, MultiEntityModel.Knowledge knowledge) {
        Ops tf = net.tf();
        Backbone.Encoded encoded = backbone.encode(batch);
        InputEncoder.Encoded own = encoded.groups();
        Operand<TFloat32> projected = specificProjection.get(batch.layout.domain()).apply(own.specific());
        boolean plugged = knowledge != null && userGate != null;
        Operand<TFloat32> input = tf.concat(plugged
                ? List.of(userGate.plug(own.user(), tf.stopGradient(knowledge.user())),
                        sequenceGate.plug(own.sequence(), tf.stopGradient(knowledge.sequence())),
                        sharedGate.plug(own.shared(), tf.stopGradient(knowledge.shared())), projected)
                : List.of(own.user(), own.sequence(), own.shared(), projected), tf.constant(1));
        Operand<TFloat32> cross = bottom.apply(input);
        if (plugged) {
            cross = crossGate.plug(cross, tf.stopGradient(knowledge.common())); // eq. 12
        }
        return tf.math.add(top.apply(cross), encoded.shallowLogit());
    }
}

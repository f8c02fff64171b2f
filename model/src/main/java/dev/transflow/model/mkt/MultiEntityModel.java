package dev.transflow.model.mkt;

import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.nn.BatchInputs;
import dev.transflow.model.nn.InputEncoder;
import dev.transflow.model.nn.Losses;
import dev.transflow.model.nn.Mlp;
import dev.transflow.model.nn.Net;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.schemas.Domain;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * MEM (MKT stage 1), trained on source and target samples together:
 * {@code q_d = [user; sequence; shared; HFA_d(specific_d)]}, {@code g_com_d = CKE(q_d)}, {@code g_ind_d = XKE_d(q_d)}
 * (SKE for the source, TKE for the target), {@code logit_d = tower_d([g_com_d; g_ind_d])};
 * {@code loss = BCE_s + BCE_t + gamma * PDL}.
 */
public final class MultiEntityModel {

    public static final String GROUP = "mem";

    /** What MEM hands the target model: the four knowledge vectors of MKT stage 2, with their widths. */
    public record Knowledge(Operand<TFloat32> user, Operand<TFloat32> sequence, Operand<TFloat32> shared,
            Operand<TFloat32> common, int userWidth, int sequenceWidth, int sharedWidth, int commonWidth) {}

    private final Map<Domain, Operand<TFloat32>> logits = new EnumMap<>(Domain.class);
    private final Map<Domain, Knowledge> knowledge = new EnumMap<>(Domain.class);
    private final InputEncoder inputs;
    private final Operand<TFloat32> loss;
    private final Operand<TFloat32> polarization;

    public MultiEntityModel(Net net, SampleEncoder encoder, ModelConfig config, BatchInputs source,
            BatchInputs target, boolean hfa, boolean pdl) {
        Ops tf = net.tf();
        inputs = new InputEncoder(net, "mem", GROUP, encoder);
        Map<Domain, BatchInputs> heads = Map.of(Domain.SOURCE, source, Domain.TARGET, target);
        Map<Domain, InputEncoder.Encoded> encoded = new EnumMap<>(Domain.class);
        for (Domain d : Domain.values()) {
            encoded.put(d, inputs.encode(heads.get(d)));
        }
        InputEncoder.Encoded any = encoded.get(Domain.TARGET);
        int qWidth = any.userWidth() + any.sequenceWidth() + any.sharedWidth() + config.alignedWidth();
        CommonKnowledgeExtractor cke = new CommonKnowledgeExtractor(net, "cke", GROUP, qWidth, config.sharedUnits(),
                config.experts());
        Map<Domain, Operand<TFloat32>> common = new EnumMap<>(Domain.class);
        Map<Domain, Operand<TFloat32>> independent = new EnumMap<>(Domain.class);
        Operand<TFloat32> total = null;
        for (Domain d : Domain.values()) {
            InputEncoder.Encoded e = encoded.get(d);
            String tag = d == Domain.SOURCE ? "source" : "target";
            HeterogeneousFeatureAlignment alignment = new HeterogeneousFeatureAlignment(net, "hfa_" + tag, GROUP,
                    e.specificFields(), inputs.dim(), config.alignedWidth(), hfa);
            Operand<TFloat32> q = tf.concat(List.of(e.user(), e.sequence(), e.shared(),
                    alignment.apply(e.specific())), tf.constant(1));
            // SKE (source) and TKE (target): independent extractors, as wide as the common knowledge.
            Mlp extractor = new Mlp(net, d == Domain.SOURCE ? "ske" : "tke", GROUP, qWidth, config.sharedUnits(), false);
            Operand<TFloat32> gCom = cke.apply(q, d);
            Operand<TFloat32> gInd = extractor.apply(q);
            Mlp tower = new Mlp(net, "tower_" + tag, GROUP, cke.outputs() + extractor.outputs(), config.towerUnits(),
                    true);
            Operand<TFloat32> logit = tower.apply(tf.concat(List.of(gCom, gInd), tf.constant(1)));
            logits.put(d, logit);
            common.put(d, gCom);
            independent.put(d, gInd);
            knowledge.put(d, new Knowledge(e.user(), e.sequence(), e.shared(), gCom, e.userWidth(),
                    e.sequenceWidth(), e.sharedWidth(), cke.outputs()));
            Operand<TFloat32> bce = Losses.binaryCrossEntropy(tf, logit, heads.get(d).labels);
            total = total == null ? bce : tf.math.add(total, bce);
        }
        polarization = PolarizedDistributionLoss.of(tf, common.get(Domain.SOURCE), independent.get(Domain.SOURCE),
                common.get(Domain.TARGET), independent.get(Domain.TARGET));
        loss = pdl ? tf.math.add(total, tf.math.mul(tf.constant(config.pdlWeight()), polarization)) : total;
    }

    public Operand<TFloat32> loss() {
        return loss;
    }

    /** The PDL term (also when it is not part of the loss, for monitoring). */
    public Operand<TFloat32> polarization() {
        return polarization;
    }

    public Operand<TFloat32> logits(Domain domain) {
        return logits.get(domain);
    }

    public Knowledge knowledge(Domain domain) {
        return knowledge.get(domain);
    }

    public InputEncoder inputs() {
        return inputs;
    }
}

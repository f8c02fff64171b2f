package dev.transflow.model.mkt;

import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.nn.Backbone;
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
 * MEM (MKT stage 1), trained on source and target samples together. With {@code v_d = [user; sequence; shared;
 * specific_d]} (eq. 1): {@code q_d = [user; sequence; shared; HFA_d(v_d)]} (eq. 6), {@code g_com_d = CKE(q_d)}
 * (eq. 7), {@code g_ind_d = XKE_d(v_d)} (eq. 8; SKE for the source, TKE for the target), {@code logit_d =
 * tower_d(relu([g_com_d; g_ind_d])) + wide_d + cross_d}; {@code loss = Loss_src + Loss_tgt + gamma * PDL} (eq. 11),
 * read as one loss per domain: {@code mean_s BCE + mean_t BCE} (the default,
 * {@link ModelConfig.MemLossWeighting#DOMAINS}), or one mean over the mixed batch, where each domain weighs as many
 * samples as it brings ({@code SAMPLES}: the sparse target tower then gets a fifth of the loss). The loss is
 * defined when one domain brings no rows: the continual MEM trainer trains on one domain alone while the other's
 * stream stalls.
 */
public final class MultiEntityModel {

    public static final String GROUP = "mem";

    /** What MEM hands the target model: the four knowledge vectors of MKT stage 2, with their widths. */
    public record Knowledge(Operand<TFloat32> user, Operand<TFloat32> sequence, Operand<TFloat32> shared,
            Operand<TFloat32> common, int userWidth, int sequenceWidth, int sharedWidth, int commonWidth) {}

    private final Map<Domain, Operand<TFloat32>> logits = new EnumMap<>(Domain.class);
    private final Map<Domain, Knowledge> knowledge = new EnumMap<>(Domain.class);
    private final Map<Domain, Mlp> towers = new EnumMap<>(Domain.class);
    private final Backbone backbone;
    private final Operand<TFloat32> loss;
    private final Operand<TFloat32> polarization;

    public MultiEntityModel(Net net, SampleEncoder encoder, ModelConfig config, BatchInputs source,
            BatchInputs target, boolean hfa, boolean pdl) {
        Ops tf = net.tf();
        backbone = new Backbone(net, "mem", GROUP, encoder, Backbone.Spec.FULL);
        Map<Domain, BatchInputs> heads = Map.of(Domain.SOURCE, source, Domain.TARGET, target);
        Map<Domain, Backbone.Encoded> encoded = new EnumMap<>(Domain.class);
        for (Domain d : Domain.values()) {
            encoded.put(d, backbone.encode(heads.get(d)));
        }
        InputEncoder.Encoded any = encoded.get(Domain.TARGET).groups();
        int sharedPartWidth = any.userWidth() + any.sequenceWidth() + any.sharedWidth();
        int qWidth = sharedPartWidth + config.alignedWidth();
        CommonKnowledgeExtractor cke = new CommonKnowledgeExtractor(net, "cke", GROUP, qWidth, config.sharedUnits(),
                config.experts());
        Map<Domain, Operand<TFloat32>> common = new EnumMap<>(Domain.class);
        Map<Domain, Operand<TFloat32>> independent = new EnumMap<>(Domain.class);
        Operand<TFloat32> bceSum = null;
        Operand<TFloat32> samples = null;
        Operand<TFloat32> domainMeans = null;
        for (Domain d : Domain.values()) {
            InputEncoder.Encoded e = encoded.get(d).groups();
            String tag = d == Domain.SOURCE ? "source" : "target";
            Operand<TFloat32> sharedPart = tf.concat(List.of(e.user(), e.sequence(), e.shared()), tf.constant(1));
            HeterogeneousFeatureAlignment alignment = new HeterogeneousFeatureAlignment(net, "hfa_" + tag, GROUP,
                    e.specificFields(), backbone.inputs().dim(), sharedPartWidth, config.alignedWidth(), hfa);
            Operand<TFloat32> q = tf.concat(List.of(sharedPart, alignment.apply(e.specific(), sharedPart)),
                    tf.constant(1));
            // SKE (source) and TKE (target): independent extractors over the entity's own input, as wide as CKE.
            Mlp extractor = new Mlp(net, d == Domain.SOURCE ? "ske" : "tke", GROUP, e.allWidth(), config.sharedUnits(),
                    true);
            Operand<TFloat32> gCom = cke.apply(q, d);
            Operand<TFloat32> gInd = extractor.apply(e.all(tf));
            Mlp tower = new Mlp(net, "tower_" + tag, GROUP, cke.outputs() + extractor.outputs(), config.towerUnits(),
                    true, config.dropout());
            towers.put(d, tower);
            Operand<TFloat32> logit = tf.math.add(tower.apply(tf.nn.relu(tf.concat(List.of(gCom, gInd),
                    tf.constant(1)))), encoded.get(d).shallowLogit());
            logits.put(d, logit);
            common.put(d, gCom);
            independent.put(d, gInd);
            knowledge.put(d, new Knowledge(e.user(), e.sequence(), e.shared(), gCom, e.userWidth(),
                    e.sequenceWidth(), e.sharedWidth(), cke.outputs()));
            Operand<TFloat32> n = tf.dtypes.cast(tf.size(heads.get(d).labels), TFloat32.class);
            // Summed, not mean times n: a domain without rows in the batch adds 0 rather than NaN.
            Operand<TFloat32> sum = Losses.binaryCrossEntropySum(tf, logit, heads.get(d).labels);
            bceSum = bceSum == null ? sum : tf.math.add(bceSum, sum);
            samples = samples == null ? n : tf.math.add(samples, n);
            Operand<TFloat32> mean = tf.math.div(sum, tf.math.maximum(n, tf.constant(1f)));
            domainMeans = domainMeans == null ? mean : tf.math.add(domainMeans, mean);
        }
        Operand<TFloat32> bce = config.memLossWeighting() == ModelConfig.MemLossWeighting.DOMAINS ? domainMeans
                : tf.math.div(bceSum, samples);
        // PDL on the extractors' linear outputs: a ReLU output's cosine cannot go below 0.
        polarization = PolarizedDistributionLoss.of(tf, common.get(Domain.SOURCE), independent.get(Domain.SOURCE),
                common.get(Domain.TARGET), independent.get(Domain.TARGET));
        loss = pdl ? tf.math.add(bce, tf.math.mul(tf.constant(config.pdlWeight()), polarization)) : bce;
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

    /** The click tower of a domain. */
    public Mlp tower(Domain domain) {
        return towers.get(domain);
    }

    public Knowledge knowledge(Domain domain) {
        return knowledge.get(domain);
    }

    public InputEncoder inputs() {
        return backbone.inputs();
    }
}

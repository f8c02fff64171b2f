package dev.transflow.model.mkt;

import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.nn.Losses;
import dev.transflow.model.nn.Net;
import dev.transflow.model.train.GraphModel;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.model.train.PretrainingModel;
import dev.transflow.model.train.Optimizer;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.ModelKind;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MKT end to end: MEM trained on both domains, then frozen, then TEM trained on the target domain with MEM's
 * knowledge plugged in through gates. {@link Settings} switch components off for the paper's ablations.
 */
public final class MktModel extends GraphModel implements PretrainingModel {

    private final String name;
    private final MultiEntityModel mem;
    private final TargetEntityModel target;
    private final Op memStep;
    private final Op temStep;
    private final Operand<TFloat32> memTargetScore;
    private final Operand<TFloat32> temScore;
    private final boolean tem;
    private final boolean residual;
    private final ModelKind produces;

    /**
     * Which MKT components the graph has.
     *
     * @param hfa whether MEM aligns each domain's specific features (heterogeneous feature alignment)
     * @param pdl whether MEM's loss has the polarized distribution term
     * @param tem whether TEM predicts; without it MEM's own target tower does (the paper's "w/o TEM")
     */
    public record Settings(boolean hfa, boolean pdl, boolean tem) {
        public static final Settings FULL = new Settings(true, true, true);
        public static final Settings NO_HFA = new Settings(false, true, true);
        public static final Settings NO_PDL = new Settings(true, false, true);
        public static final Settings NO_TEM = new Settings(true, true, false);

        /**
         * The same MEM predicting with its own target tower: what a continual MEM trainer runs, so that its MEM
         * weights load into the model with these settings.
         */
        public Settings withoutTem() {
            return new Settings(hfa, pdl, false);
        }
    }

    public MktModel(String name, SampleEncoder encoder, ModelConfig config, long seed, Settings settings) {
        this(name, encoder, config, seed, settings, ModelKind.TEM);
    }

    /**
     * The model a continual MEM job trains for target model {@code name}: MEM predicting with its own target tower
     * ({@link Settings#withoutTem()} of the target model's settings), published as MEM.
     */
    public static MktModel memTrainer(String name, SampleEncoder encoder, ModelConfig config, long seed,
            Settings targetSettings) {
        return new MktModel(name, encoder, config, seed, targetSettings.withoutTem(), ModelKind.MEM);
    }

    private MktModel(String name, SampleEncoder encoder, ModelConfig config, long seed, Settings settings,
            ModelKind produces) {
        super(encoder, config, seed);
        this.name = name;
        this.produces = produces;
        this.tem = settings.tem();
        mem = new MultiEntityModel(net, encoder, config, sourceInputs, targetInputs, settings.hfa(),
                settings.pdl());
        MultiEntityModel.Knowledge knowledge = mem.knowledge(Domain.TARGET);
        target = new TargetEntityModel(net, encoder, config, true, knowledge);
        residual = config.temResidual();
        var temLogits = target.logits(targetInputs, knowledge);
        if (residual) {
            // A fifth knowledge beyond the paper's four: MEM's own target logit, which TEM corrects.
            temLogits = net.tf().math.add(temLogits, net.tf().stopGradient(mem.logits(Domain.TARGET)));
        }
        setTargetLogits(this.tem ? temLogits : mem.logits(Domain.TARGET));
        memTargetScore = probabilities(mem.logits(Domain.TARGET));
        temScore = probabilities(temLogits);
        memStep = Optimizer.minimize(net, "mem_train", mem.loss(), net.params(MultiEntityModel.GROUP),
                net.tables(MultiEntityModel.GROUP), config);
        var temLoss = Losses.binaryCrossEntropy(net.tf(), temLogits, targetInputs.labels);
        // Only TEM's own parameters: MEM is frozen while TEM trains.
        temStep = Optimizer.minimize(net, "tem_train", temLoss, net.params(TargetEntityModel.GROUP),
                net.tables(TargetEntityModel.GROUP), config);
        start();
        initializeBias(mem.tower(Domain.SOURCE).outputBias(), PRIOR_SOURCE_CLICK_RATE);
        initializeBias(mem.tower(Domain.TARGET).outputBias(), PRIOR_TARGET_CLICK_RATE);
        if (residual) {
            startAtMem();
        } else {
            initializeBias(target.head().outputBias(), PRIOR_TARGET_CLICK_RATE);
        }
    }

    /**
     * TEM's output layer and bias at zero: TEM's prediction is MEM's target logit plus TEM's own wide term and FM
     * cross, which start at zero and small.
     */
    private void startAtMem() {
        zero(target.head().outputWeight(), target.head().outputBias());
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * MEM from the MEM job's snapshots, for a model whose TEM predicts; without TEM (the ablation, or the MEM
     * trainer itself) the model trains its own MEM and reads none.
     */
    @Override
    public List<Knowledge> consumes() {
        return tem ? List.of(new Knowledge(ModelKind.MEM, MultiEntityModel.GROUP)) : List.of();
    }

    @Override
    public ModelKind produces() {
        return produces;
    }

    public MultiEntityModel mem() {
        return mem;
    }

    /** Stage 1: MEM on both domains, validated by its target tower. */
    public void fitMem(EncodedSamples source, int sourceEnd, EncodedSamples target, int targetEnd) {
        runStage(new Stage("mem", memStep, List.of(Domain.SOURCE, Domain.TARGET), Domain.TARGET, memTargetScore,
                List.of(MultiEntityModel.GROUP), List.of(new Head(Domain.SOURCE, mem.tower(Domain.SOURCE).outputBias()),
                        new Head(Domain.TARGET, mem.tower(Domain.TARGET).outputBias())), config.maxJointEpochs()),
                source, sourceEnd, target, targetEnd);
    }

    /**
     * One continual MEM step on a mixed mini-batch: source rows {@code [sFrom, sTo)}, target rows {@code [tFrom,
     * tTo)}. One of the two ranges may be empty (a step on one domain alone, while the other's stream stalls): that
     * domain's tower and PDL term get no gradient.
     */
    public void trainMem(EncodedSamples source, int sFrom, int sTo, EncodedSamples target, int tFrom, int tTo) {
        observeNumeric(Domain.SOURCE, List.of(MultiEntityModel.GROUP), source, sFrom, sTo);
        observeNumeric(Domain.TARGET, List.of(MultiEntityModel.GROUP), target, tFrom, tTo);
        stepEitherDomain(memStep, source, sFrom, sTo, target, tFrom, tTo);
    }

    /** The continual MEM step ({@link #trainMem}): what the pre-training job runs for a MEM trainer. */
    @Override
    public void trainPretraining(EncodedSamples source, int sFrom, int sTo, EncodedSamples target, int tFrom,
            int tTo) {
        trainMem(source, sFrom, sTo, target, tFrom, tTo);
    }

    /** Stage 2: TEM on the target domain, MEM frozen. */
    public void fitTem(EncodedSamples target, int targetEnd) {
        // A residual TEM starts at MEM's prediction (set at construction; MEM's stage leaves TEM alone) and keeps it
        // unless a check validates better; otherwise its bias starts at the click rate.
        List<Head> heads = residual ? List.of() : List.of(new Head(Domain.TARGET, this.target.head().outputBias()));
        runStage(new Stage("tem", temStep, List.of(Domain.TARGET), Domain.TARGET, temScore,
                List.of(TargetEntityModel.GROUP), heads, config.maxTargetEpochs()), null, 0, target, targetEnd,
                residual);
    }

    /** TEM steps on target rows, MEM frozen. */
    @Override
    public void trainTarget(EncodedSamples target, int from, int to) {
        observeNumeric(Domain.TARGET, List.of(TargetEntityModel.GROUP), target, from, to);
        trainRange(temStep, targetInputs, target, from, to);
    }

    @Override
    protected void train(EncodedSamples source, int sourceEnd, EncodedSamples target, int targetEnd) {
        fitMem(source, sourceEnd, target, targetEnd);
        if (tem) {
            if (config.temWarmStart()) {
                warmStartTem();
            }
            fitTem(target, targetEnd);
        }
    }

    /**
     * Starts TEM's backbone (embeddings, wide term, attention, numeric weights and statistics) from MEM's: the two
     * backbones are built alike, so each TEM parameter {@code tem/x} has a MEM twin {@code mem/x} of the same shape.
     * TEM then trains its copy on target rows while MEM stays frozen; the gates still read MEM's own values.
     */
    public void warmStartTem() {
        String temPrefix = TargetEntityModel.GROUP + "/";
        String memPrefix = MultiEntityModel.GROUP + "/";
        Map<String, Net.Param> memParams = new HashMap<>();
        for (Net.Param p : net.params()) {
            if (p.group().equals(MultiEntityModel.GROUP)) {
                memParams.put(p.name(), p);
            }
        }
        Map<Net.Param, Net.Param> twins = new LinkedHashMap<>();
        for (Net.Param p : net.params()) {
            if (p.group().equals(TargetEntityModel.GROUP) && p.name().startsWith(temPrefix)) {
                Net.Param twin = memParams.get(memPrefix + p.name().substring(temPrefix.length()));
                if (twin != null && Arrays.equals(twin.shape(), p.shape())) {
                    twins.put(p, twin);
                }
            }
        }
        Map<Net.Param, float[]> memValues = net.read(session, List.copyOf(twins.values()));
        Map<Net.Param, float[]> copy = new LinkedHashMap<>();
        twins.forEach((temParam, memParam) -> copy.put(temParam, memValues.get(memParam)));
        net.assign(session, copy);
    }
}

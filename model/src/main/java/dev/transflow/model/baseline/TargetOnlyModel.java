package dev.transflow.model.baseline;

import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.mkt.TargetEntityModel;
import dev.transflow.model.nn.Backbone;
import dev.transflow.model.nn.Losses;
import dev.transflow.model.train.GraphModel;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.model.train.Optimizer;
import dev.transflow.schemas.Domain;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

import java.util.List;

/**
 * The target network without transferred knowledge, on one of three backbones: {@code mlp} (plain embeddings
 * and MLP, sequences averaged), {@code deepfm} (plus wide term and every pairwise cross) and {@code din} (target
 * attention, wide term, user-item cross: TEM's network). With {@code pretrainOnSource} it is Finetune: the network
 * trained on source samples first, then on target samples.
 */
public final class TargetOnlyModel extends GraphModel {

    private final String name;
    private final boolean pretrainOnSource;
    private final TargetEntityModel network;
    private final Op sourceStep;
    private final Op targetStep;
    /** Fits the network's own logistic regression alone; null where the target stage always starts from scratch. */
    private final Op wideStep;
    private final Operand<TFloat32> wideScore;

    public TargetOnlyModel(String name, SampleEncoder encoder, ModelConfig config, long seed, Backbone.Spec backbone,
            boolean pretrainOnSource) {
        super(encoder, config, seed);
        this.name = name;
        this.pretrainOnSource = pretrainOnSource;
        network = new TargetEntityModel(net, encoder, config, false, null, backbone);
        Operand<TFloat32> targetLogits = network.logits(targetInputs, null);
        setTargetLogits(targetLogits);
        targetStep = Optimizer.minimize(net, "target_train",
                Losses.binaryCrossEntropy(net.tf(), targetLogits, targetInputs.labels),
                net.params(TargetEntityModel.GROUP), net.tables(TargetEntityModel.GROUP), config);
        if (network.hasWide() && !pretrainOnSource && config.targetStart() != ModelConfig.TargetStart.SCRATCH) {
            Operand<TFloat32> wideLogits = network.wideLogits(targetInputs);
            wideScore = probabilities(wideLogits);
            wideStep = Optimizer.minimize(net, "wide_train",
                    Losses.binaryCrossEntropy(net.tf(), wideLogits, targetInputs.labels),
                    net.params(TargetEntityModel.GROUP), net.tables(TargetEntityModel.GROUP), config);
        } else {
            wideStep = null;
            wideScore = null;
        }
        if (pretrainOnSource) {
            Operand<TFloat32> sourceLogits = network.logits(sourceInputs, null);
            setLogits(Domain.SOURCE, sourceLogits);
            sourceStep = Optimizer.minimize(net, "source_train",
                    Losses.binaryCrossEntropy(net.tf(), sourceLogits, sourceInputs.labels),
                    net.params(TargetEntityModel.GROUP), net.tables(TargetEntityModel.GROUP), config);
        } else {
            sourceStep = null;
        }
        start();
        initializeBias(network.head().outputBias(), PRIOR_TARGET_CLICK_RATE);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void trainTarget(EncodedSamples target, int from, int to) {
        observeNumeric(Domain.TARGET, List.of(TargetEntityModel.GROUP), target, from, to);
        trainRange(targetStep, targetInputs, target, from, to);
    }

    @Override
    protected void train(EncodedSamples source, int sourceEnd, EncodedSamples target, int targetEnd) {
        List<String> groups = List.of(TargetEntityModel.GROUP);
        if (pretrainOnSource) {
            // Validated on held-out source rows: the stage's own objective.
            runStage(new Stage("source", sourceStep, List.of(Domain.SOURCE), Domain.SOURCE, output(Domain.SOURCE), groups,
                    List.of(new Head(Domain.SOURCE, network.head().outputBias())), config.maxJointEpochs()),
                    source, sourceEnd, target, targetEnd);
        }
        List<Head> head = List.of(new Head(Domain.TARGET, network.head().outputBias()));
        Stage targetStage = new Stage("target", targetStep, List.of(Domain.TARGET), Domain.TARGET, targetScore(),
                groups, head, config.maxTargetEpochs());
        if (wideStep == null) {
            runStage(targetStage, source, sourceEnd, target, targetEnd);
        } else {
            runTargetStage(targetStage, new Stage("wide", wideStep, List.of(Domain.TARGET), Domain.TARGET, wideScore,
                    groups, head, config.maxTargetEpochs()), network.head().outputWeight(), source, sourceEnd,
                    target, targetEnd);
        }
    }
}

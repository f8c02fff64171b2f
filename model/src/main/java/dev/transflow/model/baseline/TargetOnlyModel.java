package dev.transflow.model.baseline;

import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.mkt.TargetEntityModel;
import dev.transflow.model.nn.Losses;
import dev.transflow.model.train.GraphModel;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.model.train.Optimizer;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

import java.util.List;

/**
 * The target network without transferred knowledge. {@code pretrainOnSource = false}: the single-domain MLP,
 * trained on target samples only. {@code true}: Finetune, the same network pre-trained on source samples, then
 * trained on target samples.
 */
public final class TargetOnlyModel extends GraphModel {

    private final String name;
    private final boolean pretrainOnSource;
    private final Op sourceStep;
    private final Op targetStep;

    public TargetOnlyModel(String name, SampleEncoder encoder, ModelConfig config, long seed, boolean pretrainOnSource) {
        super(encoder, config, seed);
        this.name = name;
        this.pretrainOnSource = pretrainOnSource;
        TargetEntityModel network = new TargetEntityModel(net, encoder, config, false, null);
        Operand<TFloat32> targetLogits = network.logits(targetInputs, null);
        setTargetLogits(targetLogits);
        targetStep = Optimizer.minimize(net, "target_train",
                Losses.binaryCrossEntropy(net.tf(), targetLogits, targetInputs.labels),
                net.params(TargetEntityModel.GROUP), net.tables(TargetEntityModel.GROUP),
                config.optimizer());
        if (pretrainOnSource) {
            Operand<TFloat32> sourceLogits = network.logits(sourceInputs, null);
            sourceStep = Optimizer.minimize(net, "source_train",
                    Losses.binaryCrossEntropy(net.tf(), sourceLogits, sourceInputs.labels),
                    net.params(TargetEntityModel.GROUP), net.tables(TargetEntityModel.GROUP),
                    config.optimizer());
        } else {
            sourceStep = null;
        }
        start();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void trainTarget(EncodedSamples target, int from, int to) {
        trainRange(targetStep, targetInputs, target, from, to);
    }

    @Override
    public void fit(EncodedSamples source, int sourceEnd, EncodedSamples target, int targetEnd) {
        if (pretrainOnSource) {
            trainSingle(sourceStep, sourceInputs, source, sourceEnd, config.jointEpochs());
        }
        trainSingle(targetStep, targetInputs, target, targetEnd, config.targetEpochs());
    }
}

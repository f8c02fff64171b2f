package dev.transflow.model.baseline;

import dev.transflow.model.feature.DomainLayout;
import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.nn.FirstOrder;
import dev.transflow.model.nn.Losses;
import dev.transflow.model.nn.Net;
import dev.transflow.model.nn.NumericInput;
import dev.transflow.model.train.GraphModel;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.model.train.Optimizer;
import dev.transflow.schemas.Domain;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * {@code lr}: logistic regression on the target domain, {@code p = sigmoid(b + sum_f w[x_f] + sum_j a_j z_j)} over
 * the same hashed categorical features and standardized numeric ones as every other model, trained with the
 * same sparse optimizer and early stopping. The in-house floor every deep model must clear.
 */
public final class LogisticRegressionModel extends GraphModel {

    private static final String GROUP = "lr";

    private final String name;
    private final Net.Param bias;
    private final Op step;

    public LogisticRegressionModel(String name, SampleEncoder encoder, ModelConfig config, long seed) {
        super(encoder, config, seed);
        this.name = name;
        Ops tf = net.tf();
        Map<Domain, DomainLayout> layouts = new EnumMap<>(Domain.class);
        layouts.put(Domain.TARGET, encoder.layout(Domain.TARGET));
        FirstOrder wide = new FirstOrder(net, "lr", GROUP, encoder.schema().totalVocabulary(), layouts);
        NumericInput numeric = new NumericInput(net, "lr/numeric_stats_target", GROUP, Domain.TARGET,
                encoder.layout(Domain.TARGET).numericWidth());
        bias = net.constant("lr/bias", GROUP, 0f, 1);
        Operand<TFloat32> logits = tf.math.add(wide.apply(targetInputs, numeric.apply(targetInputs.numeric)),
                bias.read());
        setTargetLogits(logits);
        step = Optimizer.minimize(net, "lr_train", Losses.binaryCrossEntropy(tf, logits, targetInputs.labels),
                net.params(GROUP), net.tables(GROUP), config);
        start();
        initializeBias(bias, PRIOR_TARGET_CLICK_RATE);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void trainTarget(EncodedSamples target, int from, int to) {
        observeNumeric(Domain.TARGET, List.of(GROUP), target, from, to);
        trainRange(step, targetInputs, target, from, to);
    }

    @Override
    protected void train(EncodedSamples source, int sourceEnd, EncodedSamples target, int targetEnd) {
        runStage(new Stage("target", step, List.of(Domain.TARGET), Domain.TARGET, targetScore(), List.of(GROUP),
                List.of(new Head(Domain.TARGET, bias)), config.maxTargetEpochs()), source, sourceEnd, target,
                targetEnd);
    }
}

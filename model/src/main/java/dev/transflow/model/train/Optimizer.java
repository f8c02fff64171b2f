package dev.transflow.model.train;

import dev.transflow.model.nn.EmbeddingTable;
import dev.transflow.model.nn.Net;

import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Unique;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds one training step for a loss (plus the configured L2 terms: on the embedding rows the batch read, and on
 * dense weight matrices): Adam on dense parameters, AdaGrad on embedding rows that the batch
 * touched (sparse: gradients with respect to the gathered rows, duplicates summed with
 * {@code unique + unsortedSegmentSum}). Only the parameters and tables passed in change; everything else in the
 * graph is frozen for this step.
 */
public final class Optimizer {

    /** Learning rates and Adam's constants. */
    public record Settings(float denseLearningRate, float embeddingLearningRate, float beta1, float beta2,
            float epsilon, float initialAccumulator) {
        public static Settings defaults() {
            return new Settings(1e-3f, 0.05f, 0.9f, 0.999f, 1e-7f, 0.1f);
        }

        public Settings withDenseLearningRate(float v) {
            return new Settings(v, embeddingLearningRate, beta1, beta2, epsilon, initialAccumulator);
        }

        public Settings withEmbeddingLearningRate(float v) {
            return new Settings(denseLearningRate, v, beta1, beta2, epsilon, initialAccumulator);
        }

        public Settings withBeta1(float v) {
            return new Settings(denseLearningRate, embeddingLearningRate, v, beta2, epsilon, initialAccumulator);
        }

        public Settings withBeta2(float v) {
            return new Settings(denseLearningRate, embeddingLearningRate, beta1, v, epsilon, initialAccumulator);
        }

        public Settings withEpsilon(float v) {
            return new Settings(denseLearningRate, embeddingLearningRate, beta1, beta2, v, initialAccumulator);
        }

        public Settings withInitialAccumulator(float v) {
            return new Settings(denseLearningRate, embeddingLearningRate, beta1, beta2, epsilon, v);
        }
    }

    private Optimizer() {}

    /**
     * Parameters and lookups the loss does not depend on are left out (a table's other lookups may feed other
     * losses; a domain's own weights are unreachable from the other domain's loss).
     *
     * @return the op that runs one step
     */
    public static Op minimize(Net net, String name, Operand<TFloat32> loss, List<Net.Param> candidates,
            List<EmbeddingTable> tables, ModelConfig config) {
        Settings settings = config.optimizer();
        Ops tf = net.tf();
        Set<String> ancestors = ancestors(loss);
        List<Net.Param> dense = new ArrayList<>();
        for (Net.Param p : candidates) {
            if (ancestors.contains(p.read().op().name())) {
                dense.add(p);
            }
        }
        List<EmbeddingTable.Lookup> lookups = new ArrayList<>();
        for (EmbeddingTable table : tables) {
            for (EmbeddingTable.Lookup lookup : table.lookups()) {
                if (ancestors.contains(lookup.rows().op().name())) {
                    lookups.add(lookup);
                }
            }
        }
        List<Output<?>> xs = new ArrayList<>();
        dense.forEach(p -> xs.add(p.read().asOutput()));
        lookups.forEach(l -> xs.add(l.rows().asOutput()));
        if (xs.isEmpty()) {
            throw new IllegalArgumentException("Nothing to train in " + name);
        }
        Operand<TFloat32> objective = regularized(tf, loss, dense, lookups, config);
        Output<?>[] grads = net.graph().addGradients(objective.asOutput(), xs.toArray(new Output<?>[0]));

        String slots = name + "_slots";
        List<Op> updates = new ArrayList<>();
        Net.Param step = net.constant(name + "/step", slots, 0f);
        Operand<TFloat32> t = tf.math.add(step.read(), tf.constant(1f));
        Operand<TFloat32> beta1Power = tf.math.pow(tf.constant(settings.beta1()), t);
        Operand<TFloat32> beta2Power = tf.math.pow(tf.constant(settings.beta2()), t);
        for (int i = 0; i < dense.size(); i++) {
            Net.Param p = dense.get(i);
            Net.Param m = net.constant(name + "/" + p.name() + "/adam_m", slots, 0f, p.shape());
            Net.Param v = net.constant(name + "/" + p.name() + "/adam_v", slots, 0f, p.shape());
            @SuppressWarnings("unchecked")
            Operand<TFloat32> grad = (Operand<TFloat32>) grads[i];
            updates.add(tf.train.applyAdam(p.variable(), m.variable(), v.variable(), beta1Power, beta2Power,
                    tf.constant(settings.denseLearningRate()), tf.constant(settings.beta1()),
                    tf.constant(settings.beta2()), tf.constant(settings.epsilon()), grad));
        }
        for (EmbeddingTable table : tables) {
            List<Operand<TFloat32>> rowGrads = new ArrayList<>();
            List<Operand<TInt32>> rowIndices = new ArrayList<>();
            for (int i = 0; i < lookups.size(); i++) {
                EmbeddingTable.Lookup lookup = lookups.get(i);
                if (lookup.table() != table) {
                    continue;
                }
                @SuppressWarnings("unchecked")
                Operand<TFloat32> g = (Operand<TFloat32>) grads[dense.size() + i];
                // Per-sample scale: the batch-mean loss's row gradients times the batch size, so AdaGrad's rate
                // and initial accumulator mean the same at every batch size (a mean gradient of 1/batch per
                // occurrence would sit far below the initial accumulator, and embeddings would barely move).
                rowGrads.add(tf.reshape(tf.math.mul(g, batchSize(tf, lookup.rows())),
                        tf.constant(new long[] {-1, table.dim()})));
                rowIndices.add(tf.reshape(lookup.indices(), tf.constant(new long[] {-1})));
            }
            if (rowGrads.isEmpty()) {
                continue;
            }
            Operand<TFloat32> allGrads = rowGrads.size() == 1 ? rowGrads.get(0) : tf.concat(rowGrads, tf.constant(0));
            Operand<TInt32> allIndices = rowIndices.size() == 1 ? rowIndices.get(0)
                    : tf.concat(rowIndices, tf.constant(0));
            Unique<TInt32, TInt32> unique = tf.unique(allIndices, tf.constant(new long[] {0}));
            Operand<TFloat32> summed = tf.math.unsortedSegmentSum(allGrads, unique.idx(), tf.size(unique.y()));
            Net.Param accumulator = net.constant(name + "/" + table.param().name() + "/adagrad", slots,
                    settings.initialAccumulator(), table.param().shape());
            updates.add(tf.train.sparseApplyAdagrad(table.param().variable(), accumulator.variable(),
                    tf.constant(settings.embeddingLearningRate()), tf.constant(settings.epsilon()), summed,
                    unique.y()));
        }
        Op advance = tf.withControlDependencies(updates).assignAdd(step.variable(), tf.constant(1f));
        return tf.withControlDependencies(List.of(advance)).withName(name).noOp();
    }

    /**
     * {@code loss + embeddingL2 * sum_rows |e|^2 / batch + denseL2 * sum |W|^2}: every embedding row a sample reads
     * is pulled towards zero with the weight of one sample's loss, so rarely seen ids (which only noise can fit)
     * stay small, the way a logistic regression's L2 keeps them small; biases and vectors are not penalized.
     */
    private static Operand<TFloat32> regularized(Ops tf, Operand<TFloat32> loss, List<Net.Param> dense,
            List<EmbeddingTable.Lookup> lookups, ModelConfig config) {
        Operand<TFloat32> total = loss;
        if (config.embeddingL2() > 0) {
            for (EmbeddingTable.Lookup l : lookups) {
                Operand<TFloat32> sum = tf.reduceSum(tf.math.mul(l.rows(), l.rows()),
                        tf.range(tf.constant(0), tf.rank(l.rows()), tf.constant(1)));
                total = tf.math.add(total, tf.math.mul(tf.constant(config.embeddingL2()),
                        tf.math.div(sum, batchSize(tf, l.rows()))));
            }
        }
        if (config.denseL2() > 0) {
            for (Net.Param p : dense) {
                if (p.shape().length >= 2) {
                    Operand<TFloat32> sum = tf.reduceSum(tf.math.mul(p.read(), p.read()),
                            tf.range(tf.constant(0), tf.rank(p.read()), tf.constant(1)));
                    total = tf.math.add(total, tf.math.mul(tf.constant(config.denseL2()), sum));
                }
            }
        }
        return total;
    }

    /** The first dimension of {@code rows} (the samples of the batch), as a float. */
    private static Operand<TFloat32> batchSize(Ops tf, Operand<TFloat32> rows) {
        return tf.dtypes.cast(tf.gather(tf.shape(rows), tf.constant(0), tf.constant(0)), TFloat32.class);
    }

    /** Names of every operation {@code output} depends on through data edges, itself included. */
    static Set<String> ancestors(Operand<?> output) {
        Set<String> seen = new HashSet<>();
        Deque<GraphOperation> stack = new ArrayDeque<>();
        stack.push((GraphOperation) output.op());
        while (!stack.isEmpty()) {
            GraphOperation op = stack.pop();
            if (!seen.add(op.name())) {
                continue;
            }
            for (int i = 0; i < op.numInputs(); i++) {
                stack.push((GraphOperation) op.input(i).op());
            }
        }
        return seen;
    }
}

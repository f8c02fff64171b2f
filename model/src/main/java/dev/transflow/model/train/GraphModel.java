package dev.transflow.model.train;

import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.nn.BatchInputs;
import dev.transflow.model.nn.Net;
import dev.transflow.schemas.Domain;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * A model that lives in one TensorFlow graph with inputs for a source and a target batch. Subclasses build their
 * network in the constructor, then call {@link #start()}.
 */
public abstract class GraphModel implements CtrModel {

    protected final Graph graph = new Graph();
    protected final Net net;
    protected final SampleEncoder encoder;
    protected final ModelConfig config;
    protected final BatchInputs sourceInputs;
    protected final BatchInputs targetInputs;
    protected Session session;
    private Operand<TFloat32> targetScore;

    protected GraphModel(SampleEncoder encoder, ModelConfig config, long seed) {
        this.net = new Net(graph, seed);
        this.encoder = encoder;
        this.config = config;
        this.sourceInputs = new BatchInputs(net.tf(), "source", encoder.layout(Domain.SOURCE));
        this.targetInputs = new BatchInputs(net.tf(), "target", encoder.layout(Domain.TARGET));
    }

    public Net net() {
        return net;
    }

    public Session session() {
        return session;
    }

    public BatchInputs targetInputs() {
        return targetInputs;
    }

    /** The target logits; the model's prediction is their sigmoid. */
    protected void setTargetLogits(Operand<TFloat32> logits) {
        this.targetScore = net.tf().withName("target_score").math.sigmoid(logits);
    }

    public Operand<TFloat32> targetScore() {
        return targetScore;
    }

    protected void start() {
        ConfigProto.Builder proto = ConfigProto.newBuilder();
        if (config.threads() > 0) {
            proto.setIntraOpParallelismThreads(config.threads()).setInterOpParallelismThreads(config.threads());
        }
        session = new Session(graph, proto.build());
        net.initialize(session);
    }

    /** One pass over both domains' rows with batch sizes proportional to their counts, one loss per step. */
    protected void trainJoint(Op step, EncodedSamples source, int sourceEnd, EncodedSamples target, int targetEnd,
            int epochs) {
        if (sourceEnd == 0 || targetEnd == 0) {
            throw new IllegalArgumentException("Joint training needs rows of both domains (source " + sourceEnd
                    + ", target " + targetEnd + ")");
        }
        int sourceBatch = config.batchSize();
        int steps = (sourceEnd + sourceBatch - 1) / sourceBatch;
        double targetPerStep = (double) targetEnd / steps;
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int s = 0; s < steps; s++) {
                int sFrom = s * sourceBatch;
                int sTo = Math.min(sourceEnd, sFrom + sourceBatch);
                int tFrom = (int) Math.round(s * targetPerStep);
                int tTo = Math.max(tFrom + 1, (int) Math.round((s + 1) * targetPerStep));
                tTo = Math.min(tTo, targetEnd);
                tFrom = Math.min(tFrom, tTo - 1);
                Session.Runner runner = session.runner().addTarget(step);
                try (var a = sourceInputs.feed(runner, source, sFrom, sTo, true);
                        var b = targetInputs.feed(runner, target, tFrom, tTo, true)) {
                    runner.run();
                }
            }
        }
    }

    /** Passes over rows {@code [0, end)} of one domain in batches. */
    protected void trainSingle(Op step, BatchInputs inputs, EncodedSamples data, int end, int epochs) {
        int batch = config.batchSize();
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int from = 0; from < end; from += batch) {
                Session.Runner runner = session.runner().addTarget(step);
                try (var feed = inputs.feed(runner, data, from, Math.min(end, from + batch), true)) {
                    runner.run();
                }
            }
        }
    }

    @Override
    public float[] predict(EncodedSamples target, int from, int to) {
        float[] out = new float[to - from];
        int batch = 4096;
        for (int start = from; start < to; start += batch) {
            int end = Math.min(to, start + batch);
            Session.Runner runner = session.runner().fetch(targetScore);
            try (var feed = targetInputs.feed(runner, target, start, end, false);
                    var result = runner.run()) {
                TFloat32 scores = (TFloat32) result.get(0);
                for (int i = 0; i < end - start; i++) {
                    out[start - from + i] = scores.getFloat(i, 0);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
        graph.close();
    }
}

package dev.transflow.train;

import dev.transflow.model.eval.Models;
import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.metric.PredictionMetrics;
import dev.transflow.model.train.CtrModel;
import dev.transflow.model.train.GraphModel;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.ModelKind;
import dev.transflow.schemas.Prediction;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Continual, prequential training of the target model: target samples are collected into mini-batches; each batch
 * is first scored (one {@link Prediction} per sample, metrics updated) and then trained on. The model's weights and
 * optimizer state, the partial batch and the trained-sample count are operator state, so a checkpoint holds the
 * model together with the source offsets: after a restore no sample is lost or trained twice. Runs at
 * parallelism 1.
 */
public final class PrequentialTrainer extends ProcessFunction<LabeledSample, Prediction>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    private final String schemaJson;
    private final String modelName;
    private final int batchSize;
    private final int threads;
    private final int metricWindow;

    private transient CtrModel model;
    private transient SampleEncoder encoder;
    private transient List<LabeledSample> batch;
    private transient long trained;
    private transient long steps;
    private transient PredictionMetrics window;
    private transient PredictionMetrics previousWindow;
    private transient ListState<byte[]> modelState;
    private transient ListState<LabeledSample> batchState;
    private transient ListState<Long> trainedState;
    private transient Counter trainedCounter;
    private transient long lastStepNanos;

    /**
     * @param modelName a model with a target-only step, e.g. {@code mlp} or {@code mkt}
     * @param metricWindow predictions per metric window (AUC, GAUC, log-loss over the last full window)
     */
    public PrequentialTrainer(FeatureSchema schema, String modelName, int batchSize, int threads, int metricWindow) {
        this.schemaJson = schema.json();
        this.modelName = modelName;
        this.batchSize = batchSize;
        this.threads = threads;
        this.metricWindow = metricWindow;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        encoder = new SampleEncoder(FeatureSchema.parse(schemaJson, "trainer configuration"));
        model = Models.create(modelName, encoder,
                ModelConfig.defaults().withBatchSize(batchSize).withThreads(threads), 1);
        modelState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("model",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        batchState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("batch",
                TypeInformation.of(LabeledSample.class)));
        trainedState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("trained", Types.LONG));
        batch = new ArrayList<>(batchSize);
        window = new PredictionMetrics();
        if (context.isRestored()) {
            for (byte[] state : modelState.get()) {
                ((GraphModel) model).restoreCheckpointBytes(state);
            }
            for (LabeledSample sample : batchState.get()) {
                batch.add(sample);
            }
            for (Long count : trainedState.get()) {
                trained += count;
            }
        }
    }

    @Override
    public void open(OpenContext context) {
        var metrics = getRuntimeContext().getMetricGroup();
        trainedCounter = metrics.counter("trainedSamples");
        trainedCounter.inc(trained);
        metrics.gauge("prequentialAuc", (Gauge<Double>) () -> previousWindow == null ? Double.NaN
                : previousWindow.auc());
        metrics.gauge("prequentialGauc", (Gauge<Double>) () -> previousWindow == null ? Double.NaN
                : previousWindow.gauc());
        metrics.gauge("prequentialLogLoss", (Gauge<Double>) () -> previousWindow == null ? Double.NaN
                : previousWindow.logLoss());
        metrics.gauge("trainingStepMillis", (Gauge<Double>) () -> lastStepNanos / 1e6);
    }

    @Override
    public void processElement(LabeledSample sample, Context ctx, Collector<Prediction> out) {
        if (sample.getDomain() != Domain.TARGET) {
            throw new IllegalArgumentException("The target trainer got a " + sample.getDomain() + " sample ("
                    + sample.getImpressionId() + "); route only target samples to it");
        }
        batch.add(sample);
        if (batch.size() >= batchSize) {
            step(out);
        }
    }

    /** Scores the batch, then trains on it. */
    private void step(Collector<Prediction> out) {
        long started = System.nanoTime();
        EncodedSamples encoded = encoder.encode(Domain.TARGET, batch, new HashMap<>());
        float[] scores = model.predict(encoded, 0, encoded.rows);
        long now = System.currentTimeMillis();
        for (int i = 0; i < scores.length; i++) {
            LabeledSample s = batch.get(i);
            out.collect(Prediction.newBuilder()
                    .setImpressionId(s.getImpressionId()).setDomain(Domain.TARGET).setUserId(s.getUserId())
                    .setItemId(s.getItemId()).setScore(scores[i]).setLabel(s.getLabel())
                    .setModelKind(ModelKind.TEM).setModelVersion(steps).setKnowledgeVersion(null)
                    .setImpressionTime(s.getImpressionTime()).setPredictedAt(now)
                    .build());
            window.add(scores[i], s.getLabel(), s.getUserId().hashCode());
            if (window.count() >= metricWindow) {
                previousWindow = window;
                window = new PredictionMetrics();
            }
        }
        model.trainTarget(encoded, 0, encoded.rows);
        trained += batch.size();
        trainedCounter.inc(batch.size());
        steps++;
        batch.clear();
        lastStepNanos = System.nanoTime() - started;
    }

    /** Samples trained on so far (restored samples included). */
    public long trainedSamples() {
        return trained;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        modelState.update(List.of(((GraphModel) model).checkpointBytes()));
        batchState.update(new ArrayList<>(batch));
        trainedState.update(List.of(trained));
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
        }
    }
}

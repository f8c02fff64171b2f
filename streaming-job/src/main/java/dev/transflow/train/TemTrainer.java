package dev.transflow.train;

import dev.transflow.join.EncodedSample;
import dev.transflow.model.eval.Models;
import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.mkt.MultiEntityModel;
import dev.transflow.model.snapshot.SnapshotException;
import dev.transflow.model.train.GraphModel;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.ModelKind;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.schemas.Prediction;
import dev.transflow.schemas.TrainingMetrics;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.snapshot.KnowledgeLoader;
import dev.transflow.snapshot.SnapshotPublisher;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The TEM trainer: continual, prequential training of the target model on target samples. Samples are collected
 * into mini-batches; each batch is first scored (one {@link Prediction} per sample, prequential metrics updated)
 * and then trained on.
 *
 * <p>MEM versions announced on the broadcast input are verified and loaded off the training thread by a
 * {@link KnowledgeLoader} (only snapshots the trainer's own store holds under the announced version) and swapped in
 * between two steps; a rejected version is logged and counted, and the previous one stays in use. A TEM
 * publication that fails (disk full, permissions, a damaged store) is logged and counted too, and tried again at
 * the next interval: training never stops for it. The model's weights and optimizer state (MEM's frozen weights included), the partial
 * batch and the counters are operator state, so a checkpoint holds the model together with the source offsets:
 * after a restore no sample is lost or trained twice. Runs at parallelism 1.
 */
public final class TemTrainer extends BroadcastProcessFunction<EncodedSample, ModelVersion, Prediction>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TemTrainer.class);

    /** The last MEM announcement newer than the version in use, per model kind name (reloaded after a restore). */
    public static final MapStateDescriptor<String, ModelVersion> ANNOUNCEMENTS = new MapStateDescriptor<>(
            "knowledge-announcements", Types.STRING, TypeInformation.of(ModelVersion.class));
    /** One record per full metric window. */
    public static final OutputTag<TrainingMetrics> METRICS = new OutputTag<>("tem-metrics") { };
    /** Announcements of the TEM snapshots this trainer published. */
    public static final OutputTag<ModelVersion> PUBLISHED = new OutputTag<>("tem-published") { };

    private static final int TRAINED = 0;
    private static final int STEPS = 1;
    private static final int MEM_VERSION = 2;
    private static final int MEM_CREATED_AT = 3;
    private static final int TEM_VERSION = 4;
    // Swap and rejection counts are state too, so the metrics stay cumulative across restarts like trainedSamples.
    private static final int SWAPS = 5;
    private static final int REJECTED = 6;

    private final String schemaJson;
    private final TrainerSettings settings;
    private final long publishIntervalMillis;

    private transient GraphModel model;
    private transient SampleEncoder encoder;
    private transient EventCodec<LabeledSample> codec;
    private transient boolean usesKnowledge;
    private transient KnowledgeLoader loader;
    private transient SnapshotPublisher publisher;
    private transient List<LabeledSample> batch;
    private transient long[] position;
    private transient PrequentialWindow window;
    private transient long lastPublish;
    private transient long lastStepNanos;
    private transient long lastSwapNanos;
    private transient long lastPublishNanos;
    private transient int modelStateBytes;
    private transient ListState<byte[]> modelState;
    private transient ListState<LabeledSample> batchState;
    private transient ListState<long[]> positionState;
    private transient BroadcastState<String, ModelVersion> announcements;
    // Requested from the loader but not yet swapped in, rejected or skipped, in announcement order. The broadcast
    // state keeps only the newest announcement: without this list, a version whose outcome was still pending at a
    // checkpoint would be forgotten by a restore from it once a later announcement had overwritten it.
    private transient List<ModelVersion> pending;
    private transient ListState<ModelVersion> pendingState;
    private transient Counter trainedCounter;
    private transient Counter positivesCounter;
    private transient Counter swaps;
    private transient Counter rejected;
    private transient Counter publishFailures;
    private transient Histogram labelToTrain;

    public TemTrainer(FeatureSchema schema, Configuration config) {
        this.schemaJson = schema.json();
        this.settings = TrainerSettings.of(config);
        this.publishIntervalMillis = config.get(TrainerOptions.TEM_PUBLISH_INTERVAL).toMillis();
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        encoder = new SampleEncoder(FeatureSchema.parse(schemaJson, "trainer configuration"));
        model = (GraphModel) Models.create(settings.model(), encoder,
                settings.modelConfig(), settings.seed());
        usesKnowledge = Models.WITH_MEM.contains(settings.model());
        var store = context.getOperatorStateStore();
        modelState = store.getListState(new ListStateDescriptor<>("model",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        batchState = store.getListState(new ListStateDescriptor<>("batch", TypeInformation.of(LabeledSample.class)));
        positionState = store.getListState(new ListStateDescriptor<>("position",
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        announcements = store.getBroadcastState(ANNOUNCEMENTS);
        pendingState = store.getListState(new ListStateDescriptor<>("pending-announcements",
                TypeInformation.of(ModelVersion.class)));
        pending = new ArrayList<>();
        batch = new ArrayList<>(settings.batchSize());
        position = new long[] {0, 0, -1, 0, -1, 0, 0};
        if (context.isRestored()) {
            for (byte[] state : modelState.get()) {
                model.restoreCheckpointBytes(state);
            }
            batchState.get().forEach(batch::add);
            pendingState.get().forEach(pending::add);
            for (long[] p : positionState.get()) {
                // A checkpoint written before the swap counts existed holds a shorter array.
                System.arraycopy(p, 0, position, 0, Math.min(p.length, position.length));
            }
            LOG.info("Restored the TEM trainer: {} samples trained, {} waiting in the batch, MEM version {}",
                    position[TRAINED], batch.size(), position[MEM_VERSION]);
        }
    }

    @Override
    public void open(OpenContext context) {
        codec = EventCodec.of(LabeledSample.class);
        window = new PrequentialWindow(getRuntimeContext().getJobInfo().getJobName(), ModelKind.TEM, Domain.TARGET,
                settings.metricWindow());
        publisher = settings.publisher(ModelKind.TEM);
        lastPublish = System.currentTimeMillis();
        var metrics = getRuntimeContext().getMetricGroup();
        trainedCounter = metrics.counter("trainedSamples");
        trainedCounter.inc(position[TRAINED]);
        positivesCounter = metrics.counter("trainedPositives");
        metrics.meter("trainedSamplesPerSecond", new MeterView(trainedCounter));
        swaps = metrics.counter("memSwaps");
        swaps.inc(position[SWAPS]);
        rejected = metrics.counter("memRejected");
        rejected.inc(position[REJECTED]);
        publishFailures = metrics.counter("publishFailures");
        labelToTrain = metrics.histogram("labelToTrainMillis", new DescriptiveStatisticsHistogram(10_000));
        window.register(metrics);
        metrics.gauge("trainingStepMillis", (Gauge<Double>) () -> lastStepNanos / 1e6);
        metrics.gauge("memVersion", (Gauge<Long>) () -> position[MEM_VERSION]);
        metrics.gauge("memAgeSeconds", (Gauge<Double>) () -> position[MEM_VERSION] < 0 ? Double.NaN
                : (System.currentTimeMillis() - position[MEM_CREATED_AT]) / 1000.0);
        metrics.gauge("memSwapMillis", (Gauge<Double>) () -> lastSwapNanos / 1e6);
        metrics.gauge("temVersion", (Gauge<Long>) () -> position[TEM_VERSION]);
        metrics.gauge("temPublishMillis", (Gauge<Double>) () -> lastPublishNanos / 1e6);
        metrics.gauge("modelStateBytes", (Gauge<Integer>) () -> modelStateBytes);
        if (usesKnowledge) {
            loader = new KnowledgeLoader(model, MultiEntityModel.GROUP, settings.store(), "mem-loader");
            try {
                // Versions announced before the last checkpoint whose outcome had not been taken in by then. A
                // checkpoint written before the pending list existed holds only the newest announcement.
                ModelVersion latest = announcements.get(ModelKind.MEM.name());
                if (latest != null && !pending.contains(latest)) {
                    pending.add(latest);
                }
                pending.removeIf(v -> v.getVersion() <= position[MEM_VERSION]);
                pending.forEach(loader::request);
            } catch (Exception e) {
                throw new IllegalStateException("Cannot read the restored MEM announcement", e);
            }
        }
    }

    @Override
    public void processBroadcastElement(ModelVersion version, Context ctx, Collector<Prediction> out)
            throws Exception {
        if (version.getModelKind() != ModelKind.MEM) {
            return;
        }
        if (!usesKnowledge) {
            LOG.debug("Ignoring MEM version {}: model {} reads no MEM knowledge", version.getVersion(), settings.model());
            return;
        }
        // Versions only grow; an older or equal one is a replay (e.g. the topic read from the start). A rejected
        // version does not count: the next announcement is judged on its own.
        if (version.getVersion() <= position[MEM_VERSION]) {
            return;
        }
        ctx.getBroadcastState(ANNOUNCEMENTS).put(ModelKind.MEM.name(), version);
        pending.add(version);
        loader.request(version);
    }

    @Override
    public void processElement(EncodedSample encoded, ReadOnlyContext ctx, Collector<Prediction> out) {
        if (encoded.domain != Domain.TARGET) {
            throw new IllegalArgumentException("The target trainer got a " + encoded.domain + " sample (user "
                    + encoded.userId + "); route only target samples to it");
        }
        swapKnowledge();
        batch.add(encoded.decode(codec));
        if (batch.size() >= settings.batchSize()) {
            step(ctx, out);
        }
    }

    /** Takes in MEM versions the loader finished: the newest accepted one replaces the weights in use. */
    private void swapKnowledge() {
        if (loader == null) {
            return;
        }
        for (KnowledgeLoader.Outcome outcome : loader.drain()) {
            ModelVersion v = outcome.announcement();
            pending.remove(v);
            if (outcome.skipped()) {
                continue;
            }
            if (!outcome.accepted()) {
                position[REJECTED]++;
                rejected.inc();
                continue;
            }
            if (v.getVersion() <= position[MEM_VERSION]) {
                continue;
            }
            long started = System.nanoTime();
            model.assign(outcome.weights());
            lastSwapNanos = System.nanoTime() - started;
            position[MEM_VERSION] = v.getVersion();
            position[MEM_CREATED_AT] = v.getCreatedAt();
            position[SWAPS]++;
            swaps.inc();
            LOG.info("Swapped in MEM version {} ({} weights) in {} ms after {} trained samples", v.getVersion(),
                    outcome.weights().size(), lastSwapNanos / 1_000_000, position[TRAINED]);
        }
    }

    /** Scores the batch, then trains on it. */
    private void step(ReadOnlyContext ctx, Collector<Prediction> out) {
        long started = System.nanoTime();
        EncodedSamples encoded = encoder.encode(Domain.TARGET, batch, new HashMap<>());
        float[] scores = model.predict(encoded, 0, encoded.rows);
        long now = System.currentTimeMillis();
        Long knowledge = position[MEM_VERSION] >= 0 ? position[MEM_VERSION] : null;
        for (int i = 0; i < scores.length; i++) {
            LabeledSample s = batch.get(i);
            out.collect(Prediction.newBuilder()
                    .setImpressionId(s.getImpressionId()).setDomain(Domain.TARGET).setUserId(s.getUserId())
                    .setItemId(s.getItemId()).setScore(scores[i]).setLabel(s.getLabel())
                    .setModelKind(ModelKind.TEM).setModelVersion(position[STEPS]).setKnowledgeVersion(knowledge)
                    .setImpressionTime(s.getImpressionTime()).setPredictedAt(now).setLabelTime(s.getLabelTime())
                    .build());
            labelToTrain.update(now - s.getLabelTime());
            positivesCounter.inc(s.getLabel());
            TrainingMetrics full = window.add(scores[i], s.getLabel(), s.getUserId(), now, position[STEPS]);
            if (full != null) {
                ctx.output(METRICS, full);
            }
        }
        model.trainTarget(encoded, 0, encoded.rows);
        position[TRAINED] += batch.size();
        trainedCounter.inc(batch.size());
        position[STEPS]++;
        batch.clear();
        lastStepNanos = System.nanoTime() - started;
        if (publishIntervalMillis > 0 && now - lastPublish >= publishIntervalMillis) {
            publish(ctx);
        }
    }

    private void publish(ReadOnlyContext ctx) {
        Map<String, Double> metrics = window.manifestMetrics("");
        long started = System.nanoTime();
        try {
            ModelVersion published = publisher.publish(model, position[TEM_VERSION], position[TRAINED], metrics,
                    true);
            lastPublishNanos = System.nanoTime() - started;
            position[TEM_VERSION] = published.getVersion();
            ctx.output(PUBLISHED, published);
            LOG.info("Published TEM version {} at {} trained samples in {} ms (training waits meanwhile): {}",
                    published.getVersion(), position[TRAINED], lastPublishNanos / 1_000_000, published.getUri());
        } catch (SnapshotException e) {
            // The model is intact and the next interval tries again; failing the job would fail it at every
            // publication for as long as the store is broken.
            lastPublishNanos = System.nanoTime() - started;
            publishFailures.inc();
            LOG.warn("Could not publish a TEM snapshot at {} trained samples; training goes on and the next "
                    + "publication is tried in {} ms", position[TRAINED], publishIntervalMillis, e);
        }
        // Also after a failure: retrying at every step would hold training up for a store that stays broken.
        lastPublish = System.currentTimeMillis();
    }

    /** Samples trained on so far (restored samples included). */
    public long trainedSamples() {
        return position[TRAINED];
    }

    /** The MEM version in use, or -1. */
    public long memVersion() {
        return position[MEM_VERSION];
    }

    /** MEM versions swapped in and rejected so far (restored counts included). */
    public long[] memSwapsAndRejections() {
        return new long[] {position[SWAPS], position[REJECTED]};
    }

    /** Publications that failed since the trainer opened. */
    public long publishFailures() {
        return publishFailures.getCount();
    }

    /** Finishes pending MEM loads (tests). */
    void awaitLoads() throws Exception {
        if (loader != null) {
            loader.awaitIdle(60_000);
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        byte[] bytes = model.checkpointBytes();
        modelStateBytes = bytes.length;
        modelState.update(List.of(bytes));
        batchState.update(new ArrayList<>(batch));
        pendingState.update(new ArrayList<>(pending));
        positionState.update(List.of(position.clone()));
    }

    @Override
    public void close() {
        if (loader != null) {
            loader.close();
        }
        if (model != null) {
            model.close();
        }
    }
}

package dev.transflow.train;

import dev.transflow.join.EncodedSample;
import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.mkt.MultiEntityModel;
import dev.transflow.model.registry.ModelRegistry;
import dev.transflow.model.train.GraphModel;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.ModelKind;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.schemas.Prediction;
import dev.transflow.schemas.TrainingMetrics;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.snapshot.KnowledgeLoader;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
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

    /** The trainer's operator uid in {@link dev.transflow.job.TemJob}. */
    public static final String UID = "tem-trainer";

    /** The last MEM announcement newer than the version in use, per model kind name (reloaded after a restore). */
    public static final MapStateDescriptor<String, ModelVersion> ANNOUNCEMENTS = new MapStateDescriptor<>(
            "knowledge-announcements", Types.STRING, TypeInformation.of(ModelVersion.class));
    /** One record per full metric window. */
    public static final OutputTag<TrainingMetrics> METRICS = new OutputTag<>("tem-metrics") { };
    /** Announcements of the TEM snapshots this trainer published. */
    public static final OutputTag<ModelVersion> PUBLISHED = new OutputTag<>("tem-published") { };

    private final String schemaJson;
    private final TrainerSettings settings;
    private final long publishIntervalMillis;

    private transient GraphModel model;
    private transient SampleEncoder encoder;
    private transient EventCodec<LabeledSample> codec;
    private transient boolean usesKnowledge;
    private transient KnowledgeLoader loader;
    private transient Publication publication;
    private transient List<LabeledSample> batch;
    // Swap and rejection counts are in it too, so the metrics stay cumulative across restarts like trainedSamples.
    private transient TrainerProgress progress;
    private transient PrequentialWindow window;
    private transient long lastStepNanos;
    private transient long lastSwapNanos;
    private transient int modelStateBytes;
    private transient TrainerCheckpoint checkpoint;
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
    private transient Histogram labelToTrain;

    public TemTrainer(FeatureSchema schema, Configuration config) {
        this.schemaJson = schema.json();
        this.settings = TrainerSettings.of(config);
        this.publishIntervalMillis = TemOptions.publishInterval(config).toMillis();
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        // Before any state is read: a second subtask would train a model of its own on part of the samples.
        TrainerCheckpoint.requireSingleSubtask(getRuntimeContext().getTaskInfo(), "TEM trainer", UID);
        encoder = new SampleEncoder(FeatureSchema.parse(schemaJson, "trainer configuration"));
        model = (GraphModel) ModelRegistry.create(settings.model(), encoder,
                settings.modelConfig(), settings.seed());
        usesKnowledge = ModelRegistry.WITH_MEM.contains(settings.model());
        checkpoint = TrainerCheckpoint.initialize(context, "batch", LegacyPosition.TEM);
        checkpoint.restoreModel(model);
        progress = checkpoint.progress();
        batch = new ArrayList<>(settings.batchSize());
        batch.addAll(checkpoint.waitingSamples());
        var store = context.getOperatorStateStore();
        announcements = store.getBroadcastState(ANNOUNCEMENTS);
        pendingState = store.getListState(new ListStateDescriptor<>("pending-announcements",
                TypeInformation.of(ModelVersion.class)));
        pending = new ArrayList<>();
        pendingState.get().forEach(pending::add);
        if (context.isRestored()) {
            LOG.info("Restored the TEM trainer: {} samples trained, {} waiting in the batch, MEM version {}",
                    progress.trainedSamples, batch.size(), progress.knowledgeVersion);
        }
    }

    @Override
    public void open(OpenContext context) {
        codec = EventCodec.of(LabeledSample.class);
        window = new PrequentialWindow(getRuntimeContext().getJobInfo().getJobName(), ModelKind.TEM, Domain.TARGET,
                settings.metricWindow());
        var metrics = getRuntimeContext().getMetricGroup();
        publication = new Publication(settings.publisher(ModelKind.TEM), ModelKind.TEM, true,
                "in " + publishIntervalMillis + " ms", metrics);
        trainedCounter = metrics.counter("trainedSamples");
        trainedCounter.inc(progress.trainedSamples);
        positivesCounter = metrics.counter("trainedPositives");
        metrics.meter("trainedSamplesPerSecond", new MeterView(trainedCounter));
        swaps = metrics.counter("memSwaps");
        swaps.inc(progress.knowledgeSwaps);
        rejected = metrics.counter("memRejected");
        rejected.inc(progress.knowledgeRejections);
        labelToTrain = metrics.histogram("labelToTrainMillis", new DescriptiveStatisticsHistogram(10_000));
        window.register(metrics);
        metrics.gauge("trainingStepMillis", (Gauge<Double>) () -> lastStepNanos / 1e6);
        metrics.gauge("memVersion", (Gauge<Long>) () -> progress.knowledgeVersion);
        metrics.gauge("memAgeSeconds", (Gauge<Double>) () -> progress.knowledgeVersion < 0 ? Double.NaN
                : (System.currentTimeMillis() - progress.knowledgeCreatedAt) / 1000.0);
        metrics.gauge("memSwapMillis", (Gauge<Double>) () -> lastSwapNanos / 1e6);
        metrics.gauge("temVersion", (Gauge<Long>) () -> progress.publishedVersion);
        metrics.gauge("temPublishMillis", (Gauge<Double>) publication::lastMillis);
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
                pending.removeIf(v -> v.getVersion() <= progress.knowledgeVersion);
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
        if (version.getVersion() <= progress.knowledgeVersion) {
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
                progress.knowledgeRejections++;
                rejected.inc();
                continue;
            }
            if (v.getVersion() <= progress.knowledgeVersion) {
                continue;
            }
            long started = System.nanoTime();
            model.assign(outcome.weights());
            lastSwapNanos = System.nanoTime() - started;
            progress.knowledgeVersion = v.getVersion();
            progress.knowledgeCreatedAt = v.getCreatedAt();
            progress.knowledgeSwaps++;
            swaps.inc();
            LOG.info("Swapped in MEM version {} ({} weights) in {} ms after {} trained samples", v.getVersion(),
                    outcome.weights().size(), lastSwapNanos / 1_000_000, progress.trainedSamples);
        }
    }

    /** Scores the batch, then trains on it. */
    private void step(ReadOnlyContext ctx, Collector<Prediction> out) {
        long started = System.nanoTime();
        EncodedSamples encoded = encoder.encode(Domain.TARGET, batch, new HashMap<>());
        float[] scores = model.predict(encoded, 0, encoded.rows);
        long now = System.currentTimeMillis();
        Long knowledge = progress.knowledgeVersion >= 0 ? progress.knowledgeVersion : null;
        for (int i = 0; i < scores.length; i++) {
            LabeledSample s = batch.get(i);
            out.collect(Prediction.newBuilder()
                    .setImpressionId(s.getImpressionId()).setDomain(Domain.TARGET).setUserId(s.getUserId())
                    .setItemId(s.getItemId()).setScore(scores[i]).setLabel(s.getLabel())
                    .setModelKind(ModelKind.TEM).setModelVersion(progress.steps).setKnowledgeVersion(knowledge)
                    .setImpressionTime(s.getImpressionTime()).setPredictedAt(now).setLabelTime(s.getLabelTime())
                    .build());
            labelToTrain.update(now - s.getLabelTime());
            positivesCounter.inc(s.getLabel());
            TrainingMetrics full = window.add(scores[i], s.getLabel(), s.getUserId(), now, progress.steps);
            if (full != null) {
                ctx.output(METRICS, full);
            }
        }
        model.trainTarget(encoded, 0, encoded.rows);
        progress.trainedSamples += batch.size();
        trainedCounter.inc(batch.size());
        progress.steps++;
        batch.clear();
        lastStepNanos = System.nanoTime() - started;
        if (publishIntervalMillis > 0 && publication.intervalPassed(now, publishIntervalMillis)) {
            publication.publish(model, progress, window.manifestMetrics(""))
                    .ifPresent(published -> ctx.output(PUBLISHED, published));
        }
    }

    /** Samples trained on so far (restored samples included). */
    public long trainedSamples() {
        return progress.trainedSamples;
    }

    /** The MEM version in use, or -1. */
    public long memVersion() {
        return progress.knowledgeVersion;
    }

    /** MEM versions swapped in and rejected so far (restored counts included). */
    public long[] memSwapsAndRejections() {
        return new long[] {progress.knowledgeSwaps, progress.knowledgeRejections};
    }

    /** Publications that failed since the trainer opened. */
    public long publishFailures() {
        return publication.failures();
    }

    /** Finishes pending MEM loads (tests). */
    void awaitLoads() throws Exception {
        if (loader != null) {
            loader.awaitIdle(60_000);
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        modelStateBytes = checkpoint.snapshot(model, batch, progress);
        pendingState.update(new ArrayList<>(pending));
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

package dev.transflow.train;

import dev.transflow.join.EncodedSample;
import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.registry.ModelRegistry;
import dev.transflow.model.train.StreamingModel;
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
import org.apache.flink.metrics.MetricGroup;
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
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The TEM trainer: continual, prequential training of the target model on target samples. Samples are collected
 * into mini-batches; each batch is first scored (one {@link Prediction} per sample, prequential metrics updated)
 * and then trained on.
 *
 * <p>Knowledge versions (MEM today; any kind the model {@linkplain StreamingModel#consumes() consumes}) announced on
 * the broadcast input are verified and loaded off the training thread by a
 * {@link KnowledgeLoader} (only snapshots the trainer's own store holds under the announced version) and swapped in
 * between two steps; a rejected version is logged and counted, and the previous one stays in use. Each prediction
 * carries the version its loaders had applied, per knowledge kind (none for a model that reads no knowledge). A TEM
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

    /** The last announcement newer than the version in use, per knowledge kind name (reloaded after a restore). */
    public static final MapStateDescriptor<String, ModelVersion> ANNOUNCEMENTS = new MapStateDescriptor<>(
            "knowledge-announcements", Types.STRING, TypeInformation.of(ModelVersion.class));
    /** One record per full metric window. */
    public static final OutputTag<TrainingMetrics> METRICS = new OutputTag<>("tem-metrics") { };
    /** Announcements of the TEM snapshots this trainer published. */
    public static final OutputTag<ModelVersion> PUBLISHED = new OutputTag<>("tem-published") { };

    private final String schemaJson;
    private final TrainerSettings settings;
    private final long publishIntervalMillis;

    private transient StreamingModel model;
    private transient SampleEncoder encoder;
    private transient EventCodec<LabeledSample> codec;
    // One loader per knowledge kind the model reads, empty for a model without knowledge (mlp). Predictions carry
    // what each has applied, so a further kind is one more loader here and nothing more where predictions are made.
    private transient List<KnowledgeLoader> loaders;
    private transient Publication publication;
    private transient List<LabeledSample> batch;
    // Swap and rejection counts are in it too, so the metrics stay cumulative across restarts like trainedSamples.
    private transient TrainerProgress progress;
    private transient PrequentialWindow window;
    private transient long lastStepNanos;
    private transient Map<ModelKind, Long> lastSwapNanos;
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
    private transient Map<ModelKind, Counter> swaps;
    private transient Map<ModelKind, Counter> rejected;
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
        model = ModelRegistry.create(settings.model(), encoder, settings.modelConfig(), settings.seed());
        TrainerCheckpoint.requireProduces(model, ModelKind.TEM, "TEM trainer");
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
            LOG.info("Restored the TEM trainer: {} samples trained, {} waiting in the batch, knowledge in use {}",
                    progress.trainedSamples, batch.size(), knowledgeInUse());
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
        labelToTrain = metrics.histogram("labelToTrainMillis", new DescriptiveStatisticsHistogram(10_000));
        window.register(metrics);
        metrics.gauge("trainingStepMillis", (Gauge<Double>) () -> lastStepNanos / 1e6);
        metrics.gauge("temVersion", (Gauge<Long>) () -> progress.publishedVersion);
        metrics.gauge("temPublishMillis", (Gauge<Double>) publication::lastMillis);
        metrics.gauge("modelStateBytes", (Gauge<Integer>) () -> modelStateBytes);
        loaders = model.consumes().stream().map(k -> new KnowledgeLoader(k.kind(), model, k.group(),
                settings.store(), k.kind().name().toLowerCase(Locale.ROOT) + "-loader")).toList();
        swaps = new EnumMap<>(ModelKind.class);
        rejected = new EnumMap<>(ModelKind.class);
        lastSwapNanos = new EnumMap<>(ModelKind.class);
        for (KnowledgeLoader loader : loaders) {
            registerKnowledgeMetrics(loader.kind(), metrics);
            // The restored weights are those of the version the checkpoint says was in use.
            loader.applied(progress.knowledge(loader.kind()).version);
            try {
                // Versions announced before the last checkpoint whose outcome had not been taken in by then. A
                // checkpoint written before the pending list existed holds only the newest announcement.
                ModelVersion latest = announcements.get(loader.kind().name());
                if (latest != null && !pending.contains(latest)) {
                    pending.add(latest);
                }
            } catch (Exception e) {
                throw new IllegalStateException("Cannot read the restored " + loader.kind() + " announcement", e);
            }
        }
        pending.removeIf(v -> {
            KnowledgeLoader loader = loaderOf(v.getModelKind());
            return loader == null || v.getVersion() <= loader.appliedVersion();
        });
        pending.forEach(v -> loaderOf(v.getModelKind()).request(v));
    }

    /**
     * The metrics of one knowledge kind, named after it ({@code memVersion}, {@code tpmSwaps}, ...): the version in
     * use and its age, the last swap's duration, and cumulative swap and rejection counts.
     */
    private void registerKnowledgeMetrics(ModelKind kind, MetricGroup metrics) {
        String prefix = kind.name().toLowerCase(Locale.ROOT);
        TrainerProgress.KnowledgeUse use = progress.knowledge(kind);
        Counter swapCounter = metrics.counter(prefix + "Swaps");
        swapCounter.inc(use.swaps);
        swaps.put(kind, swapCounter);
        Counter rejectedCounter = metrics.counter(prefix + "Rejected");
        rejectedCounter.inc(use.rejections);
        rejected.put(kind, rejectedCounter);
        metrics.gauge(prefix + "Version", (Gauge<Long>) () -> use.version);
        metrics.gauge(prefix + "AgeSeconds", (Gauge<Double>) () -> use.version < 0 ? Double.NaN
                : (System.currentTimeMillis() - use.createdAt) / 1000.0);
        metrics.gauge(prefix + "SwapMillis", (Gauge<Double>) () -> lastSwapNanos.getOrDefault(kind, 0L) / 1e6);
    }

    /** The version in use per knowledge kind the model reads, for logs. */
    private Map<ModelKind, Long> knowledgeInUse() {
        Map<ModelKind, Long> inUse = new EnumMap<>(ModelKind.class);
        model.consumes().forEach(k -> inUse.put(k.kind(), progress.knowledge(k.kind()).version));
        return inUse;
    }

    /** The loader of {@code kind}, or null when the model reads no knowledge of that kind. */
    private KnowledgeLoader loaderOf(ModelKind kind) {
        for (KnowledgeLoader loader : loaders) {
            if (loader.kind() == kind) {
                return loader;
            }
        }
        return null;
    }

    @Override
    public void processBroadcastElement(ModelVersion version, Context ctx, Collector<Prediction> out)
            throws Exception {
        KnowledgeLoader loader = loaderOf(version.getModelKind());
        if (loader == null) {
            // TEM's own announcements, or knowledge this model does not read (any for mlp).
            LOG.debug("Ignoring {} version {}: model {} reads no {} knowledge", version.getModelKind(),
                    version.getVersion(), settings.model(), version.getModelKind());
            return;
        }
        // Versions only grow; an older or equal one is a replay (e.g. the topic read from the start). A rejected
        // version does not count: the next announcement is judged on its own.
        if (version.getVersion() <= loader.appliedVersion()) {
            return;
        }
        ctx.getBroadcastState(ANNOUNCEMENTS).put(version.getModelKind().name(), version);
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

    /** Takes in versions the loaders finished: the newest accepted one of a kind replaces its weights in use. */
    private void swapKnowledge() {
        for (KnowledgeLoader loader : loaders) {
            ModelKind kind = loader.kind();
            TrainerProgress.KnowledgeUse use = progress.knowledge(kind);
            for (KnowledgeLoader.Outcome outcome : loader.drain()) {
                ModelVersion v = outcome.announcement();
                pending.remove(v);
                if (outcome.skipped()) {
                    continue;
                }
                if (!outcome.accepted()) {
                    use.rejections++;
                    rejected.get(kind).inc();
                    continue;
                }
                if (v.getVersion() <= loader.appliedVersion()) {
                    continue;
                }
                long started = System.nanoTime();
                model.assign(outcome.weights());
                long took = System.nanoTime() - started;
                lastSwapNanos.put(kind, took);
                loader.applied(v.getVersion());
                use.version = v.getVersion();
                use.createdAt = v.getCreatedAt();
                use.swaps++;
                swaps.get(kind).inc();
                LOG.info("Swapped in {} version {} ({} weights) in {} ms after {} trained samples", kind,
                        v.getVersion(), outcome.weights().size(), took / 1_000_000, progress.trainedSamples);
            }
        }
    }

    /** The version each loader has applied, by kind name; kinds with none applied yet are left out. */
    private Map<String, Long> knowledgeVersions() {
        Map<String, Long> versions = new HashMap<>();
        for (KnowledgeLoader loader : loaders) {
            if (loader.appliedVersion() >= 0) {
                versions.put(loader.kind().name(), loader.appliedVersion());
            }
        }
        // Shared by the batch's predictions: immutable, so that no consumer can change another's.
        return Map.copyOf(versions);
    }

    /** Scores the batch, then trains on it. */
    private void step(ReadOnlyContext ctx, Collector<Prediction> out) {
        long started = System.nanoTime();
        EncodedSamples encoded = encoder.encode(Domain.TARGET, batch, new HashMap<>());
        float[] scores = model.predict(encoded, 0, encoded.rows);
        long now = System.currentTimeMillis();
        Map<String, Long> knowledge = knowledgeVersions();
        // The deprecated single field meant MEM's version; readers of Prediction v1 and v2 still read it.
        Long mem = knowledge.get(ModelKind.MEM.name());
        for (int i = 0; i < scores.length; i++) {
            LabeledSample s = batch.get(i);
            out.collect(Prediction.newBuilder()
                    .setImpressionId(s.getImpressionId()).setDomain(Domain.TARGET).setUserId(s.getUserId())
                    .setItemId(s.getItemId()).setScore(scores[i]).setLabel(s.getLabel())
                    .setModelKind(ModelKind.TEM).setModelVersion(progress.steps)
                    .setKnowledgeVersion(mem).setKnowledgeVersions(knowledge)
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

    /** The version of {@code kind} in use, or -1. */
    public long knowledgeVersion(ModelKind kind) {
        TrainerProgress.KnowledgeUse use = progress.knowledge().get(kind);
        return use == null ? -1 : use.version;
    }

    /** Versions of {@code kind} swapped in and rejected so far (restored counts included). */
    public long[] swapsAndRejections(ModelKind kind) {
        TrainerProgress.KnowledgeUse use = progress.knowledge().get(kind);
        return use == null ? new long[] {0, 0} : new long[] {use.swaps, use.rejections};
    }

    /** Publications that failed since the trainer opened. */
    public long publishFailures() {
        return publication.failures();
    }

    /** Finishes pending knowledge loads (tests). */
    void awaitLoads() throws Exception {
        for (KnowledgeLoader loader : loaders) {
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
        if (loaders != null) {
            loaders.forEach(KnowledgeLoader::close);
        }
        if (model != null) {
            model.close();
        }
    }
}

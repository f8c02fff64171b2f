package dev.transflow.train;

import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.registry.ModelRegistry;
import dev.transflow.model.train.PretrainingModel;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.ModelKind;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.schemas.TrainingMetrics;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The MEM trainer: continual training of the multi-entity model on labeled samples of both domains, in mixed
 * mini-batches (one MEM step per batch holding samples of each domain). Before each step the target samples are
 * scored by MEM's own target tower, for prequential metrics. Every {@code mem.publish-every-samples} samples or
 * {@code mem.publish-interval} it publishes a snapshot and emits its announcement, which the job sends to
 * {@code model.versions}; with an exactly-once sink the announcement becomes visible when the checkpoint that
 * covers it completes. A publication that fails (disk full, permissions, a damaged store) is logged, counted
 * ({@code publishFailures}) and tried again after the next interval or sample count; training never stops for it.
 * Model, buffers and counters are operator state. Runs at parallelism 1.
 *
 * <p><b>When one domain stalls.</b> The buffer holds at most {@code mem.max-buffered-samples}. When that many wait
 * and all are of one domain, the trainer trains on them alone, {@code trainer.batch-size} samples a step (MEM's
 * loss is defined with one domain empty; the missing domain's tower gets a zero gradient), counts them
 * ({@code singleDomainSamples}) and logs once per stall. Nothing is dropped. Backpressure is no option here: both
 * domains arrive on one input (the {@code samples} topic), so holding it back would hold back the missing domain
 * too, and a blocked operator would stall every checkpoint. A step never holds more than the buffer, and a buffer
 * larger than a batch (after a stall, or restored) is trained in several steps of about a batch each.
 */
public final class MemTrainer extends ProcessFunction<LabeledSample, ModelVersion> implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MemTrainer.class);

    /** The trainer's operator uid in {@link dev.transflow.job.MemJob}. */
    public static final String UID = "mem-trainer";

    /** One record per full metric window (MEM's target tower). */
    public static final OutputTag<TrainingMetrics> METRICS = new OutputTag<>("mem-metrics") { };

    private final String schemaJson;
    private final TrainerSettings settings;
    private final long publishSamples;
    private final long publishIntervalMillis;
    private final int maxBuffered;

    private transient PretrainingModel model;
    private transient SampleEncoder encoder;
    private transient Publication publication;
    private transient List<LabeledSample> source;
    private transient List<LabeledSample> target;
    private transient TrainerProgress progress;
    private transient PrequentialWindow window;
    private transient long lastStepNanos;
    private transient TrainerCheckpoint checkpoint;
    private transient Counter trainedCounter;
    private transient Counter published;
    private transient Counter singleDomainSamples;
    /** The domain missing while the trainer trains the other alone, else null; only for logging transitions. */
    private transient Domain stalled;

    public MemTrainer(FeatureSchema schema, Configuration config) {
        this.schemaJson = schema.json();
        this.settings = TrainerSettings.of(config);
        this.publishSamples = MemOptions.publishEverySamples(config);
        this.publishIntervalMillis = MemOptions.publishInterval(config).toMillis();
        this.maxBuffered = MemOptions.maxBuffered(config);
        if (!ModelRegistry.WITH_MEM.contains(settings.model())) {
            throw new IllegalArgumentException(TrainerOptions.MODEL.key() + " is '" + settings.model() + "', which reads "
                    + "no MEM knowledge; the MEM job trains for " + ModelRegistry.WITH_MEM);
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        // Before any state is read: a second subtask would train a model of its own on part of the samples.
        TrainerCheckpoint.requireSingleSubtask(getRuntimeContext().getTaskInfo(), "MEM trainer", UID);
        encoder = new SampleEncoder(FeatureSchema.parse(schemaJson, "trainer configuration"));
        model = ModelRegistry.pretrainer(settings.model(), ModelKind.MEM, encoder, settings.modelConfig(),
                settings.seed());
        TrainerCheckpoint.requireProduces(model, ModelKind.MEM, "MEM trainer");
        checkpoint = TrainerCheckpoint.initialize(context, "buffer", LegacyPosition.MEM);
        checkpoint.restoreModel(model);
        progress = checkpoint.progress();
        source = new ArrayList<>(settings.batchSize());
        target = new ArrayList<>(settings.batchSize());
        for (LabeledSample s : checkpoint.waitingSamples()) {
            (s.getDomain() == Domain.SOURCE ? source : target).add(s);
        }
        if (context.isRestored()) {
            LOG.info("Restored the MEM trainer: {} samples trained, {} buffered, last version {}",
                    progress.trainedSamples, buffered(), progress.publishedVersion);
        }
    }

    @Override
    public void open(OpenContext context) {
        window = new PrequentialWindow(getRuntimeContext().getJobInfo().getJobName(), ModelKind.MEM, Domain.TARGET,
                settings.metricWindow());
        var metrics = getRuntimeContext().getMetricGroup();
        publication = new Publication(settings.publisher(ModelKind.MEM), ModelKind.MEM, false, "after "
                + publishSamples + " more samples or " + publishIntervalMillis + " ms", metrics);
        trainedCounter = metrics.counter("trainedSamples");
        trainedCounter.inc(progress.trainedSamples);
        metrics.meter("trainedSamplesPerSecond", new MeterView(trainedCounter));
        published = metrics.counter("publishedVersions");
        singleDomainSamples = metrics.counter("singleDomainSamples");
        metrics.gauge("bufferedSamples", (Gauge<Integer>) this::buffered);
        metrics.gauge("memVersion", (Gauge<Long>) () -> progress.publishedVersion);
        window.register(metrics);
        metrics.gauge("trainingStepMillis", (Gauge<Double>) () -> lastStepNanos / 1e6);
    }

    @Override
    public void processElement(LabeledSample sample, Context ctx, Collector<ModelVersion> out) {
        (sample.getDomain() == Domain.SOURCE ? source : target).add(sample);
        boolean mixed = !source.isEmpty() && !target.isEmpty();
        if (mixed ? buffered() < settings.batchSize() : buffered() < maxBuffered) {
            return;
        }
        if (mixed && stalled != null) {
            LOG.info("{} samples arrive again; MEM steps are mixed again", stalled);
            stalled = null;
        } else if (!mixed && stalled == null) {
            stalled = source.isEmpty() ? Domain.SOURCE : Domain.TARGET;
            LOG.warn("{} samples wait for a MEM step ({}), none of them a {} sample: training on the others alone "
                    + "until {} samples arrive (counted as singleDomainSamples). Is that domain's impression topic "
                    + "flowing?", buffered(), MemOptions.MAX_BUFFERED.key(), stalled, stalled);
        }
        train(ctx);
        long now = System.currentTimeMillis();
        if (progress.samplesSincePublish >= publishSamples
                || publication.intervalPassed(now, publishIntervalMillis)) {
            // Nothing is announced after a failure: the TEM jobs keep their MEM a while longer.
            publication.publish(model, progress, window.manifestMetrics("target_")).ifPresent(version -> {
                published.inc();
                out.collect(version);
            });
        }
    }

    /** Samples waiting for a step. */
    public int buffered() {
        return source.size() + target.size();
    }

    /** Samples trained without the other domain since the trainer opened. */
    public long singleDomainSamples() {
        return singleDomainSamples.getCount();
    }

    /**
     * Trains on everything buffered: one step when it is a batch (the usual case), else steps of about a batch
     * each, every domain spread evenly over them; a step that gets rows of one domain only trains that domain.
     */
    private void train(Context ctx) {
        long started = System.nanoTime();
        Map<String, Integer> users = new HashMap<>();
        EncodedSamples s = encoder.encode(Domain.SOURCE, source, users);
        EncodedSamples t = encoder.encode(Domain.TARGET, target, users);
        float[] scores = model.predict(t, 0, t.rows);
        long now = System.currentTimeMillis();
        for (int i = 0; i < scores.length; i++) {
            LabeledSample sample = target.get(i);
            TrainingMetrics full = window.add(scores[i], sample.getLabel(), sample.getUserId(), now,
                    progress.publishedVersion);
            if (full != null) {
                ctx.output(METRICS, full);
            }
        }
        int n = s.rows + t.rows;
        int steps = (n + settings.batchSize() - 1) / settings.batchSize();
        for (int k = 0; k < steps; k++) {
            int sFrom = share(s.rows, k, steps);
            int sTo = share(s.rows, k + 1, steps);
            int tFrom = share(t.rows, k, steps);
            int tTo = share(t.rows, k + 1, steps);
            model.trainPretraining(s, sFrom, sTo, t, tFrom, tTo);
            if (sTo == sFrom || tTo == tFrom) {
                singleDomainSamples.inc(sTo - sFrom + tTo - tFrom);
            }
        }
        progress.trainedSamples += n;
        progress.samplesSincePublish += n;
        trainedCounter.inc(n);
        source.clear();
        target.clear();
        lastStepNanos = System.nanoTime() - started;
    }

    /** Where step {@code k} of {@code steps} starts in {@code rows} rows spread evenly. */
    private static int share(int rows, int k, int steps) {
        return (int) ((long) rows * k / steps);
    }

    /** Publications that failed since the trainer opened. */
    public long publishFailures() {
        return publication.failures();
    }

    /** Samples trained on so far (restored samples included). */
    public long trainedSamples() {
        return progress.trainedSamples;
    }

    /** The last version published, or -1. */
    public long lastVersion() {
        return progress.publishedVersion;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        List<LabeledSample> buffer = new ArrayList<>(source);
        buffer.addAll(target);
        checkpoint.snapshot(model, buffer, progress);
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
        }
    }
}

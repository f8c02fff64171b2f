package dev.transflow.train;

import dev.transflow.model.eval.Models;
import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.mkt.MktModel;
import dev.transflow.model.snapshot.SnapshotException;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.ModelKind;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.schemas.TrainingMetrics;
import dev.transflow.snapshot.SnapshotPublisher;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
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

    /** One record per full metric window (MEM's target tower). */
    public static final OutputTag<TrainingMetrics> METRICS = new OutputTag<>("mem-metrics") { };

    private static final int TRAINED = 0;
    private static final int VERSION = 1;
    private static final int SINCE_PUBLISH = 2;

    private final String schemaJson;
    private final TrainerSettings settings;
    private final long publishSamples;
    private final long publishIntervalMillis;
    private final int maxBuffered;

    private transient MktModel model;
    private transient SampleEncoder encoder;
    private transient SnapshotPublisher publisher;
    private transient List<LabeledSample> source;
    private transient List<LabeledSample> target;
    private transient long[] position;
    private transient PrequentialWindow window;
    private transient long lastPublish;
    private transient long lastStepNanos;
    private transient ListState<byte[]> modelState;
    private transient ListState<LabeledSample> bufferState;
    private transient ListState<long[]> positionState;
    private transient Counter trainedCounter;
    private transient Counter published;
    private transient Counter publishFailures;
    private transient Counter singleDomainSamples;
    /** The domain missing while the trainer trains the other alone, else null; only for logging transitions. */
    private transient Domain stalled;

    public MemTrainer(FeatureSchema schema, Configuration config) {
        this.schemaJson = schema.json();
        this.settings = TrainerSettings.of(config);
        this.publishSamples = config.get(TrainerOptions.MEM_PUBLISH_SAMPLES);
        this.publishIntervalMillis = config.get(TrainerOptions.MEM_PUBLISH_INTERVAL).toMillis();
        this.maxBuffered = TrainerOptions.memMaxBuffered(config);
        if (!Models.WITH_MEM.contains(settings.model())) {
            throw new IllegalArgumentException(TrainerOptions.MODEL.key() + " is '" + settings.model() + "', which reads "
                    + "no MEM knowledge; the MEM job trains for " + Models.WITH_MEM);
        }
        if (publishSamples < 1) {
            throw new IllegalArgumentException(TrainerOptions.MEM_PUBLISH_SAMPLES.key() + " must be >= 1, got "
                    + publishSamples);
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        encoder = new SampleEncoder(FeatureSchema.parse(schemaJson, "trainer configuration"));
        model = Models.memTrainer(settings.model(), encoder,
                settings.modelConfig(), settings.seed());
        var store = context.getOperatorStateStore();
        modelState = store.getListState(new ListStateDescriptor<>("model",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        bufferState = store.getListState(new ListStateDescriptor<>("buffer",
                TypeInformation.of(LabeledSample.class)));
        positionState = store.getListState(new ListStateDescriptor<>("position",
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        source = new ArrayList<>(settings.batchSize());
        target = new ArrayList<>(settings.batchSize());
        position = new long[] {0, -1, 0};
        if (context.isRestored()) {
            for (byte[] state : modelState.get()) {
                model.restoreCheckpointBytes(state);
            }
            for (LabeledSample s : bufferState.get()) {
                (s.getDomain() == Domain.SOURCE ? source : target).add(s);
            }
            for (long[] p : positionState.get()) {
                position = p.clone();
            }
            LOG.info("Restored the MEM trainer: {} samples trained, {} buffered, last version {}", position[TRAINED],
                    source.size() + target.size(), position[VERSION]);
        }
    }

    @Override
    public void open(OpenContext context) {
        window = new PrequentialWindow(getRuntimeContext().getJobInfo().getJobName(), ModelKind.MEM, Domain.TARGET,
                settings.metricWindow());
        publisher = settings.publisher(ModelKind.MEM);
        lastPublish = System.currentTimeMillis();
        var metrics = getRuntimeContext().getMetricGroup();
        trainedCounter = metrics.counter("trainedSamples");
        trainedCounter.inc(position[TRAINED]);
        metrics.meter("trainedSamplesPerSecond", new MeterView(trainedCounter));
        published = metrics.counter("publishedVersions");
        publishFailures = metrics.counter("publishFailures");
        singleDomainSamples = metrics.counter("singleDomainSamples");
        metrics.gauge("bufferedSamples", (Gauge<Integer>) this::buffered);
        metrics.gauge("memVersion", (Gauge<Long>) () -> position[VERSION]);
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
                    + "flowing?", buffered(), TrainerOptions.MEM_MAX_BUFFERED.key(), stalled, stalled);
        }
        train(ctx);
        long now = System.currentTimeMillis();
        if (position[SINCE_PUBLISH] >= publishSamples || now - lastPublish >= publishIntervalMillis) {
            publish(out);
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
            TrainingMetrics full = window.add(scores[i], sample.getLabel(), sample.getUserId(), now, position[VERSION]);
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
            model.trainMem(s, sFrom, sTo, t, tFrom, tTo);
            if (sTo == sFrom || tTo == tFrom) {
                singleDomainSamples.inc(sTo - sFrom + tTo - tFrom);
            }
        }
        position[TRAINED] += n;
        position[SINCE_PUBLISH] += n;
        trainedCounter.inc(n);
        source.clear();
        target.clear();
        lastStepNanos = System.nanoTime() - started;
    }

    /** Where step {@code k} of {@code steps} starts in {@code rows} rows spread evenly. */
    private static int share(int rows, int k, int steps) {
        return (int) ((long) rows * k / steps);
    }

    private void publish(Collector<ModelVersion> out) {
        Map<String, Double> metrics = window.manifestMetrics("target_");
        try {
            ModelVersion version = publisher.publish(model, position[VERSION], position[TRAINED], metrics, false);
            position[VERSION] = version.getVersion();
            published.inc();
            out.collect(version);
            LOG.info("Published MEM version {} at {} trained samples: {}", version.getVersion(), position[TRAINED],
                    version.getUri());
        } catch (SnapshotException e) {
            // Nothing was announced and the model is intact: the TEM jobs keep their MEM a while longer.
            publishFailures.inc();
            LOG.warn("Could not publish a MEM snapshot at {} trained samples; training goes on and the next "
                    + "publication is tried after {} more samples or {} ms", position[TRAINED], publishSamples,
                    publishIntervalMillis, e);
        }
        // Also after a failure: retrying at every step would hold training up for a store that stays broken.
        position[SINCE_PUBLISH] = 0;
        lastPublish = System.currentTimeMillis();
    }

    /** Publications that failed since the trainer opened. */
    public long publishFailures() {
        return publishFailures.getCount();
    }

    /** Samples trained on so far (restored samples included). */
    public long trainedSamples() {
        return position[TRAINED];
    }

    /** The last version published, or -1. */
    public long lastVersion() {
        return position[VERSION];
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        modelState.update(List.of(model.checkpointBytes()));
        List<LabeledSample> buffer = new ArrayList<>(source);
        buffer.addAll(target);
        bufferState.update(buffer);
        positionState.update(List.of(position.clone()));
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
        }
    }
}

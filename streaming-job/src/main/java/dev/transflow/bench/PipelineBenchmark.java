package dev.transflow.bench;

import dev.transflow.cluster.JobMetrics;
import dev.transflow.demo.Demo;
import dev.transflow.demo.LiveSimulation;
import dev.transflow.demo.LocalStack;
import dev.transflow.join.JoinOptions;
import dev.transflow.schemas.Prediction;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.simulate.KafkaSink;
import dev.transflow.simulate.Simulator;
import dev.transflow.simulate.SimulatorOptions;
import dev.transflow.simulate.WorldPreset;
import dev.transflow.snapshot.SnapshotOptions;
import dev.transflow.topic.EventProducer;
import dev.transflow.topic.Topic;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * End-to-end throughput and latency of the TEM job (Kafka -> decode -> sample join -> TEM training ->
 * predictions and metrics, exactly-once, RocksDB) on this machine, broker and simulator included.
 *
 * <ol>
 * <li>Catch-up: {@code impressions} impressions of the last minutes are written to Kafka first; the job then
 * labels them as fast as it can. Throughput is the rate of labeled impressions between 40% and 90% of the
 * backlog, once job start-up and JIT compilation are behind; the rate between 5% and 40% is reported as the warm-up
 * rate.</li>
 * <li>Live: once the backlog is through, the simulator sends {@code liveRate} impressions per second in real time for
 * {@code liveDuration}; click-to-model-update latency is {@code predictedAt - labelTime} of the positive
 * predictions of that phase after its first 15 s (the step that scores a sample trains on it right after).</li>
 * </ol>
 * RSS is the peak resident memory of this JVM, which runs the Flink cluster and the simulator; the broker is a
 * separate JVM.
 */
public final class PipelineBenchmark {

    /** The figures, as in the JSON file. */
    public record Figures(long impressions, double impressionsPerSecond, double warmUpImpressionsPerSecond,
            double trainedPerSecond, double liveRate,
            long latencySamples, double latencyP50, double latencyP99, double rssMb, double modelStateMb) {
        public String json() {
            return String.format(Locale.ROOT, "{\"benchmark\": \"pipeline\", \"impressions\": %d, "
                    + "\"impressions_per_s\": %.0f, \"warm_up_impressions_per_s\": %.0f, "
                    + "\"trained_samples_per_s\": %.0f, \"live_rate\": %.0f, "
                    + "\"latency_samples\": %d, \"update_latency_p50_ms\": %.0f, \"update_latency_p99_ms\": %.0f, "
                    + "\"rss_mb\": %.0f, \"model_state_mb_per_checkpoint\": %.1f, \"cores\": %d}%n", impressions,
                    impressionsPerSecond, warmUpImpressionsPerSecond, trainedPerSecond, liveRate, latencySamples, latencyP50, latencyP99, rssMb,
                    modelStateMb,
                    Runtime.getRuntime().availableProcessors());
        }
    }

    /**
     * Fractions of the backlog: the rate between {@link #STEADY_FROM} and {@link #STEADY_TO} labeled is the
     * throughput; before it both JVMs are still compiling the hot paths (on 2 cores the JIT took about 30% of the
     * machine during the first minute, measured per thread), and that rate is reported on its own.
     */
    static final double WARM_UP_FROM = 0.05;
    static final double STEADY_FROM = 0.4;
    static final double STEADY_TO = 0.9;

    /** The counters the benchmark follows, read in one pass. */
    private static final List<String> COUNTS = List.of("positives", "negatives", "trainedSamples");

    /** Interval between metric queries over REST. */
    static final Duration METRICS_POLL = Duration.ofSeconds(1);

    /** Start of the live phase left out of the latency figures. */
    static final Duration LIVE_WARM_UP = Duration.ofSeconds(15);

    private PipelineBenchmark() {}

    public static Figures run(long impressions, double liveRate, Duration liveDuration, Configuration overrides,
            Consumer<String> log) throws Exception {
        RssSampler rss = new RssSampler();
        rss.start();
        Configuration world = Demo.worldConfig(WorldPreset.DEFAULT, new Configuration());
        Configuration jobs = Demo.jobConfig(overrides);
        try (LocalStack stack = LocalStack.start(new Configuration(), 2)) {
            jobs.set(SnapshotOptions.DIR, stack.workDir().resolve("snapshots").toString());
            jobs.set(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    stack.workDir().resolve("checkpoints").toUri().toString());

            double eventRate = 500;
            Configuration backlog = new Configuration(world);
            backlog.set(SimulatorOptions.IMPRESSIONS_PER_SECOND, eventRate);
            backlog.set(SimulatorOptions.START_TIME, System.currentTimeMillis() - (long) (impressions / eventRate
                    * 1000));
            long t0 = System.nanoTime();
            Simulator simulator = new Simulator(backlog, 21);
            try (KafkaSink sink = new KafkaSink(simulator.world(), new EventProducer(stack.bootstrapServers()),
                    "bench")) {
                simulator.run(impressions, sink, () -> false);
            }
            log.accept(String.format(Locale.ROOT, "backlog: %d impressions written to Kafka in %.1f s", impressions,
                    (System.nanoTime() - t0) / 1e9));

            JobID job = stack.submitTem(jobs);
            JobMetrics metrics = new JobMetrics(stack.cluster().restAddress(), job);
            // Marks of the backlog: warm-up from WARM_UP_FROM, steady state from STEADY_FROM to STEADY_TO.
            long[] marks = {(long) (impressions * WARM_UP_FROM), (long) (impressions * STEADY_FROM),
                    (long) (impressions * STEADY_TO)};
            double[][] at = new double[marks.length][];
            double lastLogAt = System.nanoTime() / 1e9;
            long lastLogged = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (at[marks.length - 1] == null) {
                if (System.nanoTime() > deadline || stack.cluster().status(job).isGloballyTerminalState()) {
                    throw new IllegalStateException("The job did not label " + marks[marks.length - 1]
                            + " impressions in time (status " + stack.cluster().status(job) + ")");
                }
                Map<String, OptionalDouble> m = metrics.sums(COUNTS);
                long labeled = (long) (m.get("positives").orElse(0) + m.get("negatives").orElse(0));
                double trained = m.get("trainedSamples").orElse(0);
                double now = System.nanoTime() / 1e9;
                for (int i = 0; i < marks.length; i++) {
                    if (at[i] == null && labeled >= marks[i]) {
                        at[i] = new double[] {now, labeled, trained};
                    }
                }
                if (now - lastLogAt >= 10) {
                    log.accept(String.format(Locale.ROOT, "  %,d labeled, %.0f/s over the last %.0f s", labeled,
                            (labeled - lastLogged) / (now - lastLogAt), now - lastLogAt));
                    lastLogAt = now;
                    lastLogged = labeled;
                }
                // Metric queries run on the same cores as the job, so they are kept infrequent.
                Thread.sleep(METRICS_POLL.toMillis());
            }
            double warmUpRate = (at[1][1] - at[0][1]) / (at[1][0] - at[0][0]);
            double seconds = at[2][0] - at[1][0];
            double rate = (at[2][1] - at[1][1]) / seconds;
            double trainedRate = (at[2][2] - at[1][2]) / seconds;
            log.accept(String.format(Locale.ROOT, "catch-up: %.0f impressions/s labeled, %.0f target samples/s "
                    + "trained (%.0f impressions in %.1f s; while the JVMs warmed up: %.0f/s)", rate, trainedRate,
                    at[2][1] - at[1][1], seconds, warmUpRate));

            // The live phase starts once the backlog is through, so that its clicks do not queue behind it. The last
            // attribution window of the backlog stays open (no newer events move the watermark): about
            // eventRate * window impressions.
            long open = (long) (eventRate * jobs.get(JoinOptions.ATTRIBUTION_WINDOW).toSeconds()) + 1_000;
            long stable = System.nanoTime();
            long previous = -1;
            while (System.nanoTime() - stable < 5_000_000_000L) {
                Map<String, OptionalDouble> m = metrics.sums(COUNTS);
                long labeled = (long) (m.get("positives").orElse(0) + m.get("negatives").orElse(0));
                if (labeled >= impressions - open) {
                    break;
                }
                if (labeled != previous) {
                    previous = labeled;
                    stable = System.nanoTime();
                }
                Thread.sleep(METRICS_POLL.toMillis());
            }
            long liveStart = System.currentTimeMillis();
            try (LiveSimulation live = new LiveSimulation(stack.bootstrapServers(), world, 22, liveRate, 0)) {
                live.start();
                Thread.sleep(liveDuration.toMillis());
                live.stop();
            }
            // Let the last labels arrive and a checkpoint commit them.
            Thread.sleep(Duration.ofSeconds(20).toMillis());
            // The first seconds of the live phase pay for the catch-up: when live events move the watermark past
            // the backlog, its last windows and a minute of late-click retention expire at once.
            double[] latencies = latencies(stack.bootstrapServers(), liveStart + LIVE_WARM_UP.toMillis());
            double p50 = percentile(latencies, 0.50);
            double p99 = percentile(latencies, 0.99);
            log.accept(String.format(Locale.ROOT, "live at %.0f impressions/s: click-to-update latency p50 %.0f ms, "
                    + "p99 %.0f ms over %d clicks", liveRate, p50, p99, latencies.length));
            double modelState = metrics.sum("modelStateBytes").orElse(Double.NaN) / (1 << 20);
            stack.cluster().cancel(job);
            return new Figures(impressions, rate, warmUpRate, trainedRate, liveRate, latencies.length, p50, p99,
                    rss.stop() / 1024.0, modelState);
        } finally {
            rss.stop();
        }
    }

    /** {@code predictedAt - labelTime} of positive predictions of impressions after {@code since}, sorted. */
    private static double[] latencies(String bootstrap, long since) throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-latency");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        EventCodec<Prediction> codec = EventCodec.of(Prediction.class);
        double[] values = new double[1024];
        int n = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(Topic.PREDICTIONS.topicName()));
            int empty = 0;
            while (empty < 6) {
                var records = consumer.poll(Duration.ofMillis(500));
                empty = records.isEmpty() ? empty + 1 : 0;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    Prediction p = codec.decode(r.value());
                    if (p.getLabel() != null && p.getLabel() == 1 && p.getImpressionTime() >= since
                            && p.getLabelTime() != null) {
                        if (n == values.length) {
                            values = Arrays.copyOf(values, n * 2);
                        }
                        values[n++] = p.getPredictedAt() - p.getLabelTime();
                    }
                }
            }
        }
        double[] out = Arrays.copyOf(values, n);
        Arrays.sort(out);
        return out;
    }

    private static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** Peak VmRSS of this process, sampled every 200 ms. */
    private static final class RssSampler {
        private final Thread thread = new Thread(this::sample, "rss-sampler");
        private volatile boolean stop;
        private volatile long peakKb;

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        private void sample() {
            while (!stop) {
                try {
                    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                        if (line.startsWith("VmRSS:")) {
                            peakKb = Math.max(peakKb, Long.parseLong(line.replaceAll("[^0-9]", "")));
                        }
                    }
                    Thread.sleep(200);
                } catch (IOException | NumberFormatException e) {
                    return;
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** @return the peak in KiB */
        long stop() {
            stop = true;
            return peakKb;
        }
    }
}

package dev.transflow.bench;

import dev.transflow.cluster.JobMetrics;
import dev.transflow.demo.Demo;
import dev.transflow.demo.LiveSimulation;
import dev.transflow.demo.LocalStack;
import dev.transflow.job.SampleJobOptions;
import dev.transflow.schemas.Prediction;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.simulate.KafkaSink;
import dev.transflow.simulate.Simulator;
import dev.transflow.simulate.SimulatorOptions;
import dev.transflow.simulate.WorldPreset;
import dev.transflow.topic.EventProducer;
import dev.transflow.topic.Topic;
import dev.transflow.train.TrainerOptions;

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
import java.util.Properties;
import java.util.function.Consumer;

/**
 * End-to-end throughput and latency of the TEM job (Kafka -> decode -> sample join -> TEM training ->
 * predictions and metrics, exactly-once, RocksDB) on this machine, broker and simulator included.
 *
 * <ol>
 * <li>Catch-up: {@code impressions} impressions of the last minutes are written to Kafka first; the job then
 * labels them as fast as it can. Throughput is the rate of labeled impressions between 20% and 80% of the
 * backlog (job start-up excluded).</li>
 * <li>Live: once the backlog is through, the simulator sends {@code liveRate} impressions per second in real time for
 * {@code liveDuration}; click-to-model-update latency is {@code predictedAt - labelTime} of the positive
 * predictions of that phase after its first 15 s (the step that scores a sample trains on it right after).</li>
 * </ol>
 * RSS is the peak resident memory of this JVM, which runs the Flink cluster and the simulator; the broker is a
 * separate JVM.
 */
public final class PipelineBenchmark {

    /** The figures, as in the JSON file. */
    public record Figures(long impressions, double impressionsPerSecond, double trainedPerSecond, double liveRate,
            long latencySamples, double latencyP50, double latencyP99, double rssMb, double modelStateMb) {
        public String json() {
            return String.format(Locale.ROOT, "{\"benchmark\": \"pipeline\", \"impressions\": %d, "
                    + "\"impressions_per_s\": %.0f, \"trained_samples_per_s\": %.0f, \"live_rate\": %.0f, "
                    + "\"latency_samples\": %d, \"update_latency_p50_ms\": %.0f, \"update_latency_p99_ms\": %.0f, "
                    + "\"rss_mb\": %.0f, \"model_state_mb_per_checkpoint\": %.1f, \"cores\": %d}%n", impressions,
                    impressionsPerSecond, trainedPerSecond, liveRate, latencySamples, latencyP50, latencyP99, rssMb,
                    modelStateMb,
                    Runtime.getRuntime().availableProcessors());
        }
    }

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
            jobs.set(TrainerOptions.SNAPSHOT_DIR, stack.workDir().resolve("snapshots").toString());
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
            long from = (long) (impressions * 0.2);
            long to = (long) (impressions * 0.8);
            double[] start = null;
            double[] end = null;
            long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
            while (end == null) {
                if (System.nanoTime() > deadline || stack.cluster().status(job).isGloballyTerminalState()) {
                    throw new IllegalStateException("The job did not label " + to + " impressions in time (status "
                            + stack.cluster().status(job) + ")");
                }
                long labeled = (long) (metrics.sum("positives").orElse(0) + metrics.sum("negatives").orElse(0));
                double trained = metrics.sum("trainedSamples").orElse(0);
                double now = System.nanoTime() / 1e9;
                if (start == null && labeled >= from) {
                    start = new double[] {now, labeled, trained};
                } else if (start != null && labeled >= to) {
                    end = new double[] {now, labeled, trained};
                }
                // Metric queries run on the same cores as the job, so they are kept infrequent.
                Thread.sleep(METRICS_POLL.toMillis());
            }
            double seconds = end[0] - start[0];
            double rate = (end[1] - start[1]) / seconds;
            double trainedRate = (end[2] - start[2]) / seconds;
            log.accept(String.format(Locale.ROOT, "catch-up: %.0f impressions/s labeled, %.0f target samples/s "
                    + "trained (%.0f impressions in %.1f s)", rate, trainedRate, end[1] - start[1], seconds));

            // The live phase starts once the backlog is through, so that its clicks do not queue behind it. The last
            // attribution window of the backlog stays open (no newer events move the watermark): about
            // eventRate * window impressions.
            long open = (long) (eventRate * jobs.get(SampleJobOptions.ATTRIBUTION_WINDOW).toSeconds()) + 1_000;
            long stable = System.nanoTime();
            long previous = -1;
            while (System.nanoTime() - stable < 5_000_000_000L) {
                long labeled = (long) (metrics.sum("positives").orElse(0) + metrics.sum("negatives").orElse(0));
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
            return new Figures(impressions, rate, trainedRate, liveRate, latencies.length, p50, p99,
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

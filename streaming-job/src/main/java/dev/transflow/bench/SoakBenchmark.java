package dev.transflow.bench;

import dev.transflow.cluster.JobMetrics;
import dev.transflow.demo.Demo;
import dev.transflow.demo.LiveSimulation;
import dev.transflow.demo.LocalStack;
import dev.transflow.model.bench.ModelBenchmark;
import dev.transflow.simulate.WorldPreset;
import dev.transflow.snapshot.SnapshotOptions;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Whether the whole pipeline holds a fixed live rate for a long time without growing: the MEM and TEM jobs (the
 * demo's settings) on an embedded cluster, the local broker, and the simulator sending impressions in real time.
 * Every {@code interval} it records this JVM's resident memory and heap, the labeled and trained samples per
 * second, and each job's latest checkpoint (duration, full state size). A leak shows as drift: each series' mean
 * over the last quarter of the run against its mean over the second quarter (the first is warm-up: JIT, the first
 * windows and history, RocksDB's first compactions).
 */
public final class SoakBenchmark {

    /** One observation, {@code seconds} after the live stream started. NaN where no value was available yet. */
    public record Sample(double seconds, double rssMb, double heapMb, double labeledPerSecond,
            double trainedPerSecond, double checkpointMillis, double checkpointStateMb) {}

    /** The series whose drift is called flat or not. */
    static final java.util.Set<String> JUDGED = java.util.Set.of("rss_mb", "checkpoint_ms", "checkpoint_state_mb");

    /** The series a soak records, by name as in the JSON file. */
    static final Map<String, ToDoubleFunction<Sample>> SERIES = series();

    private static Map<String, ToDoubleFunction<Sample>> series() {
        Map<String, ToDoubleFunction<Sample>> m = new java.util.LinkedHashMap<>();
        m.put("rss_mb", Sample::rssMb);
        m.put("heap_mb", Sample::heapMb);
        m.put("labeled_per_s", Sample::labeledPerSecond);
        m.put("trained_per_s", Sample::trainedPerSecond);
        m.put("checkpoint_ms", Sample::checkpointMillis);
        m.put("checkpoint_state_mb", Sample::checkpointStateMb);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** A finished soak. */
    public record Report(double rate, Duration duration, List<Sample> samples) {

        public Report {
            samples = List.copyOf(samples);
        }

        /**
         * Relative change of a series' mean from the second quarter of the samples to the last: 0.05 means it grew
         * by 5%. NaN with fewer than four samples or where a quarter has no value.
         */
        public double drift(ToDoubleFunction<Sample> series) {
            int n = samples.size();
            if (n < 4) {
                return Double.NaN;
            }
            double second = mean(series, n / 4, n / 2);
            double last = mean(series, n - n / 4, n);
            return last / second - 1;
        }

        private double mean(ToDoubleFunction<Sample> series, int from, int to) {
            double sum = 0;
            int count = 0;
            for (int i = from; i < to; i++) {
                double v = series.applyAsDouble(samples.get(i));
                if (!Double.isNaN(v)) {
                    sum += v;
                    count++;
                }
            }
            return count == 0 ? Double.NaN : sum / count;
        }

        /**
         * One line per series: its drift and, for resident memory, checkpoint state and checkpoint duration,
         * whether it stayed within {@code tolerance} (rates should hold the input rate, which their drift shows).
         */
        public List<String> verdicts(double tolerance) {
            List<String> lines = new ArrayList<>();
            SERIES.forEach((name, series) -> {
                double d = drift(series);
                // Heap in use follows the collector's sawtooth; resident memory is where a leak ends up.
                boolean judged = JUDGED.contains(name);
                String verdict = Double.isNaN(d) ? "no data" : !judged ? "" : Math.abs(d) <= tolerance ? "flat"
                        : d > 0 ? "GROWS" : "shrinks";
                lines.add(String.format(Locale.ROOT, "drift %-20s %+7.1f%%  %s", name, d * 100, verdict).trim());
            });
            return lines;
        }

        public String json() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "{\"benchmark\": \"soak\", \"rate\": %.0f, \"duration_s\": %d, "
                    + "\"cores\": %d,%n  \"drift\": {", rate, duration.toSeconds(),
                    Runtime.getRuntime().availableProcessors()));
            b.append(SERIES.entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + number(drift(e.getValue())))
                    .collect(Collectors.joining(", ")));
            b.append("},\n  \"seconds\": ").append(array(Sample::seconds));
            SERIES.forEach((name, series) -> b.append(",\n  \"").append(name).append("\": ").append(array(series)));
            return b.append("}\n").toString();
        }

        private String array(ToDoubleFunction<Sample> series) {
            return samples.stream().map(s -> number(series.applyAsDouble(s)))
                    .collect(Collectors.joining(", ", "[", "]"));
        }

        private static String number(double v) {
            return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.4g", v);
        }

        /** Resident memory, checkpoint state, checkpoint duration and labeled rate over time. */
        public void writePng(Path png) throws IOException {
            double[] x = samples.stream().mapToDouble(Sample::seconds).toArray();
            LineCharts.write(png, List.of(
                    panel("resident memory of the cluster's JVM, MB", x, Sample::rssMb),
                    panel("checkpoint state of both jobs, MB", x, Sample::checkpointStateMb),
                    panel("checkpoint duration (slower job), ms", x, Sample::checkpointMillis),
                    panel("labeled impressions/s", x, Sample::labeledPerSecond)));
        }

        private LineCharts.Panel panel(String title, double[] x, ToDoubleFunction<Sample> series) {
            return new LineCharts.Panel(title, x, samples.stream().mapToDouble(series).toArray());
        }
    }

    private static final List<String> COUNTS = List.of("positives", "negatives", "trainedSamples");

    /** Time for a metric fetch the REST API started to reach its store. */
    static final Duration FETCH_SETTLE = Duration.ofSeconds(2);

    private SoakBenchmark() {}

    public static Report run(double rate, Duration duration, Duration interval, Configuration overrides,
            Consumer<String> log) throws Exception {
        Configuration world = Demo.worldConfig(WorldPreset.DEFAULT, new Configuration());
        Configuration jobs = Demo.jobConfig(overrides);
        List<Sample> samples = new ArrayList<>();
        try (LocalStack stack = LocalStack.start(new Configuration(), 4)) {
            jobs.set(SnapshotOptions.DIR, stack.workDir().resolve("snapshots").toString());
            jobs.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    stack.workDir().resolve("checkpoints").toUri().toString());
            JobID tem = stack.submitTem(jobs);
            JobID mem = stack.submitMem(jobs);
            JobMetrics temMetrics = new JobMetrics(stack.cluster().restAddress(), tem);
            JobMetrics memMetrics = new JobMetrics(stack.cluster().restAddress(), mem);
            try (LiveSimulation live = new LiveSimulation(stack.bootstrapServers(), world, 31, rate, 0)) {
                live.start();
                long start = System.nanoTime();
                long end = start + duration.toNanos();
                double[] previous = null;
                while (System.nanoTime() < end) {
                    Thread.sleep(Math.max(1, Math.min(interval.minus(FETCH_SETTLE).toMillis(),
                            (end - System.nanoTime()) / 1_000_000)));
                    for (JobID job : List.of(tem, mem)) {
                        if (stack.cluster().status(job).isGloballyTerminalState()) {
                            throw new IllegalStateException("Job " + job + " ended during the soak: "
                                    + stack.cluster().status(job));
                        }
                    }
                    if (live.failure() != null) {
                        throw new IllegalStateException("The live simulation failed", live.failure());
                    }
                    // Polled rarely, the metric store is a whole interval old: read it after a fetch.
                    Map<String, OptionalDouble> m = temMetrics.freshSums(COUNTS, FETCH_SETTLE);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    double labeled = m.get("positives").orElse(Double.NaN) + m.get("negatives").orElse(Double.NaN);
                    double trained = m.get("trainedSamples").orElse(Double.NaN);
                    double[] now = {seconds, labeled, trained};
                    double labeledRate = Double.NaN;
                    double trainedRate = Double.NaN;
                    if (previous != null) {
                        labeledRate = (labeled - previous[1]) / (seconds - previous[0]);
                        trainedRate = (trained - previous[2]) / (seconds - previous[0]);
                    }
                    previous = now;
                    var temCheckpoint = temMetrics.latestCheckpoint();
                    var memCheckpoint = memMetrics.latestCheckpoint();
                    double checkpointMillis = temCheckpoint.isEmpty() || memCheckpoint.isEmpty() ? Double.NaN
                            : Math.max(temCheckpoint.get().durationMillis(), memCheckpoint.get().durationMillis());
                    double stateMb = temCheckpoint.isEmpty() || memCheckpoint.isEmpty() ? Double.NaN
                            : (temCheckpoint.get().stateBytes() + memCheckpoint.get().stateBytes()) / 1048576.0;
                    // This process runs the cluster and the simulator; the broker is its own JVM.
                    Sample sample = new Sample(seconds, ModelBenchmark.rssMb(), heapMb(), labeledRate, trainedRate,
                            checkpointMillis, stateMb);
                    samples.add(sample);
                    log.accept(String.format(Locale.ROOT, "%6.0f s  rss %5.0f MB  heap %5.0f MB  labeled %6.0f/s  "
                            + "trained %6.0f/s  checkpoint %5.0f ms, %6.1f MB", seconds, sample.rssMb(),
                            sample.heapMb(), labeledRate, trainedRate, checkpointMillis, stateMb));
                }
                live.stop();
            }
            stack.cluster().cancel(tem);
            stack.cluster().cancel(mem);
        }
        return new Report(rate, duration, samples);
    }

    private static double heapMb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
    }
}

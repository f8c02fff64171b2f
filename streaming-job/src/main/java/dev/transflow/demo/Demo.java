package dev.transflow.demo;

import dev.transflow.cluster.JobMetrics;
import dev.transflow.join.JoinOptions;
import dev.transflow.simulate.SimulatorOptions;
import dev.transflow.simulate.WorldPreset;
import dev.transflow.snapshot.SnapshotOptions;
import dev.transflow.source.SourceOptions;
import dev.transflow.train.MemOptions;
import dev.transflow.train.TemOptions;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;

/**
 * {@code transflow demo}: a local broker, the simulator as a live source, and the MEM and TEM jobs on an embedded
 * cluster with its web UI, with a progress line every few seconds. The defaults shrink the time scales (attribution
 * window 10 s, MEM snapshot every 20 s) so that labels, MEM swaps and TEM snapshots happen within a minute.
 */
public final class Demo {

    /**
     * Settings of one demo run.
     *
     * @param duration how long to run; zero: until stopped
     * @param untilSamples stop once the TEM trainer has trained this many samples (0: off); the demo fails when
     *     {@code duration} passes first
     */
    public record Settings(WorldPreset world, long seed, double rate, Duration duration, long untilSamples,
            Duration progressEvery, int badRecords, Configuration overrides) {}

    /** What the final line reports. */
    public record Summary(long events, long samples, double targetAuc, long memVersions, long memRejected,
            long deadLetters) {
        public String line() {
            return String.format(Locale.ROOT,
                    "demo summary: events=%d samples=%d target_auc=%s mem_versions=%d dead_letters=%d", events,
                    samples, Double.isNaN(targetAuc) ? "n/a" : String.format(Locale.ROOT, "%.4f", targetAuc),
                    memVersions, deadLetters);
        }
    }

    private Demo() {}

    /** The job settings of the demo, under the user's overrides. */
    public static Configuration jobConfig(Configuration overrides) {
        Configuration c = new Configuration();
        c.set(JoinOptions.ATTRIBUTION_WINDOW, Duration.ofSeconds(10));
        // Shorter than the window, as the job checks. The live simulation's event times drift from the wall clock by
        // about sqrt(t / rate): 1.3 s after an hour at the demo's 2,000 impressions/s.
        c.set(SourceOptions.MAX_FUTURE_SKEW, Duration.ofSeconds(5));
        c.set(JoinOptions.LATE_CLICK_RETENTION, Duration.ofMinutes(1));
        c.set(SourceOptions.OUT_OF_ORDERNESS, Duration.ofSeconds(2));
        c.set(SourceOptions.IDLENESS, Duration.ofSeconds(5));
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(5));
        c.set(MemOptions.PUBLISH_EVERY_SAMPLES, 1_000_000L);
        c.set(MemOptions.PUBLISH_INTERVAL, Duration.ofSeconds(20));
        c.set(TemOptions.PUBLISH_INTERVAL, Duration.ofSeconds(30));
        c.addAll(overrides);
        return c;
    }

    /** The simulator settings of the demo: clicks within seconds, matching the 10 s attribution window. */
    public static Configuration worldConfig(WorldPreset preset, Configuration overrides) {
        Configuration c = preset.configuration();
        c.set(SimulatorOptions.ATTRIBUTION_WINDOW, Duration.ofSeconds(10));
        c.set(SimulatorOptions.CLICK_DELAY_MEDIAN, Duration.ofSeconds(2));
        for (var e : overrides.toMap().entrySet()) {
            if (e.getKey().startsWith("simulator.")) {
                SimulatorOptions.set(c, e.getKey() + "=" + e.getValue());
            }
        }
        return c;
    }

    /**
     * Runs the demo until {@code settings.duration} (zero: until {@code stop}) and returns the final figures.
     *
     * @throws IllegalStateException when a job fails for good or the simulator stops with an error
     */
    public static Summary run(Settings settings, PrintWriter out, BooleanSupplier stop) throws Exception {
        Configuration jobs = jobConfig(settings.overrides());
        out.println("Starting a Kafka broker and a Flink cluster ...");
        out.flush();
        // The overrides reach the cluster too, so that --set rest.bind-address=... or rest.port=... apply to it.
        try (LocalStack stack = LocalStack.start(settings.overrides(), 4)) {
            jobs.set(SnapshotOptions.DIR, stack.workDir().resolve("snapshots").toString());
            jobs.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    stack.workDir().resolve("checkpoints").toUri().toString());
            JobID tem = stack.submitTem(jobs);
            JobID mem = stack.submitMem(jobs);
            out.println("Kafka:  " + stack.bootstrapServers());
            out.println("Web UI: " + stack.cluster().restAddress() + "  (jobs " + "transflow-tem " + tem
                    + ", transflow-mem " + mem + ")");
            out.println("Snapshots: " + stack.workDir().resolve("snapshots") + " (deleted at exit)");
            out.flush();

            JobMetrics temMetrics = new JobMetrics(stack.cluster().restAddress(), tem);
            JobMetrics memMetrics = new JobMetrics(stack.cluster().restAddress(), mem);
            long started = System.nanoTime();
            Summary last = new Summary(0, 0, Double.NaN, 0, 0, 0);
            try (LiveSimulation simulation = new LiveSimulation(stack.bootstrapServers(),
                    worldConfig(settings.world(), settings.overrides()), settings.seed(), settings.rate(), 0)) {
                simulation.start();
                simulation.sendBadRecords(settings.badRecords());
                long nextProgress = started + settings.progressEvery().toNanos();
                long nextCheck = started;
                while (!stop.getAsBoolean()) {
                    long now = System.nanoTime();
                    if (settings.untilSamples() > 0 && now >= nextCheck) {
                        nextCheck = now + 1_000_000_000L;
                        if (summary(simulation.eventsSent(), temMetrics, memMetrics).samples()
                                >= settings.untilSamples()) {
                            break;
                        }
                    }
                    if (!settings.duration().isZero() && now - started >= settings.duration().toNanos()) {
                        if (settings.untilSamples() > 0) {
                            throw new IllegalStateException("The TEM trainer did not reach "
                                    + settings.untilSamples() + " trained samples within " + settings.duration()
                                    + "; a slow or overloaded machine needs a longer --duration");
                        }
                        break;
                    }
                    if (simulation.failure() != null) {
                        throw new IllegalStateException("The simulator failed: " + simulation.failure(),
                                simulation.failure());
                    }
                    requireRunning(stack, tem, "transflow-tem");
                    requireRunning(stack, mem, "transflow-mem");
                    if (now >= nextProgress) {
                        last = summary(simulation.eventsSent(), temMetrics, memMetrics);
                        out.printf(Locale.ROOT, "[%4ds] events=%d samples=%d target_auc=%s mem_version=%s "
                                        + "mem_swaps=%d rejected=%d dead_letters=%d%n",
                                (now - started) / 1_000_000_000L, last.events(), last.samples(),
                                Double.isNaN(last.targetAuc()) ? "n/a"
                                        : String.format(Locale.ROOT, "%.4f", last.targetAuc()),
                                version(temMetrics), last.memVersions(), last.memRejected(), last.deadLetters());
                        out.flush();
                        nextProgress += settings.progressEvery().toNanos();
                    }
                    Thread.sleep(200);
                }
                simulation.stop();
                last = summary(simulation.eventsSent(), temMetrics, memMetrics);
            }
            out.println("Stopping the jobs, the cluster and the broker ...");
            out.flush();
            stack.cluster().cancel(tem);
            stack.cluster().cancel(mem);
            return last;
        }
    }

    private static void requireRunning(LocalStack stack, JobID job, String name) throws Exception {
        JobStatus status = stack.cluster().status(job);
        if (status.isGloballyTerminalState()) {
            stack.cluster().await(job, Duration.ofSeconds(10));
            throw new IllegalStateException("Job " + name + " ended: " + status);
        }
    }

    private static Summary summary(long events, JobMetrics tem, JobMetrics mem) {
        Map<String, OptionalDouble> t = tem.sums(List.of("trainedSamples", "prequentialAuc", "memSwaps",
                "memRejected", "deadLetters"));
        return new Summary(events, (long) t.get("trainedSamples").orElse(0), t.get("prequentialAuc")
                .orElse(Double.NaN), (long) t.get("memSwaps").orElse(0), (long) t.get("memRejected").orElse(0),
                (long) (t.get("deadLetters").orElse(0) + mem.sum("deadLetters").orElse(0)));
    }

    private static String version(JobMetrics tem) {
        OptionalDouble v = tem.sum("memVersion");
        return v.isEmpty() || v.getAsDouble() < 0 ? "none" : Long.toString((long) v.getAsDouble());
    }
}

package dev.transflow.cli;

import dev.transflow.bench.PipelineBenchmark;
import dev.transflow.bench.SoakBenchmark;
import dev.transflow.config.OptionCatalogue;
import dev.transflow.demo.Demo;
import dev.transflow.model.bench.ModelBenchmark;
import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.EntityType;
import dev.transflow.simulate.CsvSink;
import dev.transflow.simulate.EventSink;
import dev.transflow.simulate.SimulatedImpression;
import dev.transflow.simulate.World;
import dev.transflow.simulate.SimulationReport;
import dev.transflow.simulate.Simulator;
import dev.transflow.simulate.WorldPreset;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code transflow bench ...}: benchmarks that print their figures and write them as JSON. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks. Each prints its figures and writes them as JSON to --out.",
        subcommands = {BenchCommand.SimulatorBench.class, BenchCommand.ModelBench.class,
                BenchCommand.PipelineBench.class, BenchCommand.SoakBench.class})
final class BenchCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing benchmark: simulator, model or pipeline");
    }

    @Command(name = "simulator", mixinStandardHelpOptions = true,
            description = {"Simulator throughput to CSV files on one thread (target: >= 200k events/s).",
                    "Events are impressions plus clicks. A warm-up run precedes the measured ones."})
    static final class SimulatorBench implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--impressions", paramLabel = "N", defaultValue = "2000000",
                description = "Impressions per measured run (default: ${DEFAULT-VALUE}).")
        long impressions;

        @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "Measured runs (default: ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--dir", paramLabel = "DIR", description = "Where to write the CSV files (default: a temporary directory).")
        Path dir;

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "JSON result file.")
        Path out;

        @Override
        public Integer call() throws IOException {
            Path work = dir != null ? dir : Files.createTempDirectory("transflow-bench-");
            PrintWriter console = spec.commandLine().getOut();
            run(work, Math.min(impressions, 200_000), 0);
            double best = 0;
            double sum = 0;
            long events = 0;
            for (int r = 1; r <= runs; r++) {
                SimulationReport report = run(work, impressions, r);
                console.printf(Locale.ROOT, "run %d: %d events in %.2f s = %.0f events/s%n", r, report.events(),
                        report.elapsedSeconds(), report.eventsPerSecond());
                console.flush();
                best = Math.max(best, report.eventsPerSecond());
                sum += report.eventsPerSecond();
                events = report.events();
            }
            String json = String.format(Locale.ROOT, "{\"benchmark\": \"simulator-csv\", \"impressions\": %d, "
                    + "\"events_per_run\": %d, \"runs\": %d, \"events_per_s_mean\": %.0f, \"events_per_s_best\": %.0f, "
                    + "\"threads\": 1, \"cores\": %d}%n", impressions, events, runs, sum / runs, best,
                    Runtime.getRuntime().availableProcessors());
            try {
                Files.writeString(out, json);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write " + out, e);
            }
            console.print(json);
            console.flush();
            return 0;
        }

        private static SimulationReport run(Path dir, long impressions, int seed) {
            Simulator simulator = new Simulator(WorldPreset.DEFAULT.configuration(), seed);
            try (CsvSink sink = new CsvSink(simulator.world(), dir)) {
                return simulator.run(impressions, sink, () -> false);
            }
        }
    }

    @Command(name = "model", mixinStandardHelpOptions = true,
            description = {"MKT training and inference throughput on simulated data: MEM steps, TEM steps with MEM "
                    + "frozen, TEM scoring; for 1 and 2 threads (targets on 2 cores: TEM >= 100k, MEM >= 50k "
                    + "samples/s).",
                    "Build with -Pgpu and run on a GPU machine for GPU figures."})
    static final class ModelBench implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--impressions", paramLabel = "N", defaultValue = "400000",
                description = "Simulated impressions to train on (default: ${DEFAULT-VALUE}).")
        int impressions;

        @Option(names = "--batch-size", paramLabel = "N", split = ",", defaultValue = "512",
                description = "Batch sizes, comma-separated (default: ${DEFAULT-VALUE}).")
        List<Integer> batchSizes;

        @Option(names = "--threads", paramLabel = "N", split = ",", defaultValue = "1,2",
                description = "TensorFlow thread counts, comma-separated (default: ${DEFAULT-VALUE}).")
        List<Integer> threads;

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "JSON result file.")
        Path out;

        @Override
        public Integer call() throws IOException {
            PrintWriter console = spec.commandLine().getOut();
            Simulator simulator = new Simulator(WorldPreset.DEFAULT.configuration(), 1);
            RowCollector rows = new RowCollector(simulator.world());
            simulator.run(impressions, rows, () -> false);
            FeatureSchema schema = FeatureSchema.infer(World.SOURCE_LAYOUT, World.TARGET_LAYOUT, 1 << 18, 10_000);
            SampleEncoder encoder = new SampleEncoder(schema);
            Map<Domain, EncodedSamples> encoded = encoder.encode(rows.source, rows.target);
            String device = ModelBenchmark.device();
            console.println("device: " + device + "; " + rows.source.size() + " source + " + rows.target.size()
                    + " target samples");
            console.flush();
            List<ModelBenchmark.Figures> figures = new ArrayList<>();
            for (int batch : batchSizes) {
                for (int n : threads) {
                    figures.add(ModelBenchmark.run(encoder, encoded.get(Domain.SOURCE), encoded.get(Domain.TARGET), n,
                            batch, line -> {
                                console.println(line);
                                console.flush();
                            }));
                }
            }
            String json = ModelBenchmark.json(figures, device);
            Files.writeString(out, json);
            console.print(json);
            console.flush();
            return 0;
        }
    }

    @Command(name = "pipeline", mixinStandardHelpOptions = true,
            description = {"End to end on this machine: local broker, simulator and the TEM job (exactly-once, "
                    + "RocksDB) on an embedded cluster. Catch-up throughput on a backlog (target on 2 cores: "
                    + ">= 30k impressions/s), then click-to-model-update latency on a live stream (target: p99 <= 5 s "
                    + "beyond the attribution window), and peak RSS.",
                    "JSON keys: impressions_per_s, update_latency_p50_ms, update_latency_p99_ms, rss_mb."})
    static final class PipelineBench implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--impressions", paramLabel = "N", defaultValue = "1500000",
                description = "Backlog impressions for the throughput phase (default: ${DEFAULT-VALUE}).")
        long impressions;

        @Option(names = "--live-rate", paramLabel = "N", defaultValue = "3000",
                description = "Impressions per second in the latency phase (default: ${DEFAULT-VALUE}).")
        double liveRate;

        @Option(names = "--live-duration", paramLabel = "DURATION", defaultValue = "60s",
                description = "Length of the latency phase; its first 15 s are not measured (default: "
                        + "${DEFAULT-VALUE}).")
        Duration liveDuration;

        @Mixin
        JobSettings settings;

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "JSON result file.")
        Path out;

        @Override
        public Integer call() throws Exception {
            PrintWriter console = spec.commandLine().getOut();
            if (impressions < 10_000 || !(liveRate > 0) || liveDuration.toSeconds() <= 15) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--impressions must be >= 10000, --live-rate positive and --live-duration over 15 s");
            }
            org.apache.flink.configuration.Configuration overrides;
            try {
                overrides = settings.configuration();
                OptionCatalogue.validate(Demo.jobConfig(overrides)); // the benchmark runs the demo's settings
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            PipelineBenchmark.Figures figures = PipelineBenchmark.run(impressions, liveRate, liveDuration,
                    overrides, line -> {
                        console.println(line);
                        console.flush();
                    });
            String json = figures.json();
            Files.writeString(out, json);
            console.print(json);
            console.flush();
            return 0;
        }
    }

    @Command(name = "soak", mixinStandardHelpOptions = true,
            description = {"Long run on this machine: local broker, the simulator at a fixed live rate, and the MEM "
                    + "and TEM jobs (the demo's settings) on an embedded cluster. Every --interval it prints resident "
                    + "memory, heap, labeled and trained samples/s and each job's latest checkpoint (duration, state "
                    + "size); at the end each series' drift (mean of the last quarter against the second quarter; "
                    + "the first is warm-up) and whether it stayed within --tolerance.",
                    "Writes the series and drifts as JSON (--out) and as a PNG chart (--png)."})
    static final class SoakBench implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--rate", paramLabel = "N", defaultValue = "1000",
                description = "Impressions per second (default: ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "30m",
                description = "Length of the live stream (default: ${DEFAULT-VALUE}).")
        Duration duration;

        @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "30s",
                description = "Time between observations (default: ${DEFAULT-VALUE}).")
        Duration interval;

        @Option(names = "--tolerance", paramLabel = "FRACTION", defaultValue = "0.1",
                description = "Largest drift of memory, checkpoint state and duration called flat (default: "
                        + "${DEFAULT-VALUE}).")
        double tolerance;

        @Mixin
        JobSettings settings;

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "JSON result file.")
        Path out;

        @Option(names = "--png", paramLabel = "FILE", description = "Chart file (default: --out with .png).")
        Path png;

        @Override
        public Integer call() throws Exception {
            PrintWriter console = spec.commandLine().getOut();
            if (!(rate > 0) || interval.compareTo(Duration.ofSeconds(5)) < 0
                    || duration.compareTo(interval.multipliedBy(8)) < 0 || !(tolerance > 0)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--rate and --tolerance must be "
                        + "positive, --interval at least 5 s and --duration at least 8 intervals (the drift compares "
                        + "quarters of the run)");
            }
            org.apache.flink.configuration.Configuration overrides;
            try {
                overrides = settings.configuration();
                OptionCatalogue.validate(Demo.jobConfig(overrides));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            SoakBenchmark.Report report = SoakBenchmark.run(rate, duration, interval, overrides, line -> {
                console.println(line);
                console.flush();
            });
            Files.writeString(out, report.json());
            Path chart = png != null ? png : out.resolveSibling(out.getFileName().toString()
                    .replaceFirst("\\.json$", "") + ".png");
            report.writePng(chart);
            for (String verdict : report.verdicts(tolerance)) {
                console.println(verdict);
            }
            console.println("wrote " + out + " and " + chart);
            console.flush();
            return 0;
        }
    }

    /** Collects simulated impressions as generic rows. */
    static final class RowCollector implements EventSink {
        final List<InteractionRow> source = new ArrayList<>();
        final List<InteractionRow> target = new ArrayList<>();
        private final World world;

        RowCollector(World world) {
            this.world = world;
        }

        @Override
        public void accept(SimulatedImpression imp) {
            (imp.entityType() == EntityType.PRODUCT ? source : target).add(world.row(imp));
        }

        @Override
        public void finish() {}

        @Override
        public void close() {}
    }
}

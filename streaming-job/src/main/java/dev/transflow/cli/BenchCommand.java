package dev.transflow.cli;

import dev.transflow.simulate.CsvSink;
import dev.transflow.simulate.SimulationReport;
import dev.transflow.simulate.Simulator;
import dev.transflow.simulate.WorldPreset;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code transflow bench ...}: benchmarks that print their figures and write them as JSON. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks. Each prints its figures and writes them as JSON to --out.",
        subcommands = {BenchCommand.SimulatorBench.class})
final class BenchCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing benchmark: simulator");
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
}

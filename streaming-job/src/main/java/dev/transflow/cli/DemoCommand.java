package dev.transflow.cli;

import dev.transflow.config.OptionCatalogue;
import dev.transflow.demo.Demo;
import dev.transflow.simulate.WorldPreset;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code transflow demo}: everything on this machine, with a progress line. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start a local Kafka broker, the simulator as a live source, and the MEM and TEM jobs on an "
                + "embedded Flink cluster whose web UI address is printed. Prints a progress line every few "
                + "seconds; Ctrl-C stops everything. With --duration it stops by itself and prints "
                + "'demo summary: ...'.",
                "Time scales are shortened for a demo: attribution window 10 s, clicks after about 2 s, a MEM "
                        + "snapshot every 20 s, a TEM snapshot every 30 s. Override any with --set."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "0s",
            description = "Run this long, then print the summary and exit, e.g. 90s; 0 = until Ctrl-C (default).")
    Duration duration;

    @Option(names = "--until-samples", paramLabel = "N", defaultValue = "0",
            description = "Stop as soon as the TEM trainer has trained N target samples; --duration is then the "
                    + "longest wait, and the demo fails if N is not reached by then. 0 = off (default).")
    long untilSamples;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "2000",
            description = "Impressions per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--world", paramLabel = "NAME", defaultValue = "default",
            description = "Simulated world: default, recurring-drift, harmful-source or cross-domain "
                    + "(default: ${DEFAULT-VALUE}).")
    String world;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Simulator seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--progress-every", paramLabel = "DURATION", defaultValue = "5s",
            description = "Interval of the progress line (default: ${DEFAULT-VALUE}).")
    Duration progressEvery;

    @Option(names = "--bad-records", paramLabel = "N", defaultValue = "6",
            description = "Malformed records sent at the start, to show the dead-letter path (default: ${DEFAULT-VALUE}).")
    int badRecords;

    @Mixin
    JobSettings settings;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (settings.listOptions) {
            out.print(JobSettings.describe());
            out.flush();
            return 0;
        }
        if (!(rate > 0) || duration.isNegative() || progressEvery.isZero() || progressEvery.isNegative()
                || badRecords < 0 || untilSamples < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--rate and --progress-every must be positive, --duration, --until-samples and --bad-records "
                            + ">= 0");
        }
        if (untilSamples > 0 && duration.isZero()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--until-samples needs --duration as the longest wait, e.g. --duration 5m");
        }
        Demo.Settings demo;
        try {
            demo = new Demo.Settings(WorldPreset.ofCliName(world), seed, rate, duration, untilSamples, progressEvery,
                    badRecords,
                    settings.configuration());
            OptionCatalogue.validate(Demo.jobConfig(demo.overrides())); // with the demo's own defaults
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Demo.Summary summary;
        try (ShutdownSignal stop = new ShutdownSignal("demo")) {
            summary = Demo.run(demo, out, stop);
        }
        out.println(summary.line());
        out.flush();
        return 0;
    }
}

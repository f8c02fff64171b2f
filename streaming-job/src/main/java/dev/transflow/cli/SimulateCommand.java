package dev.transflow.cli;

import dev.transflow.config.ConfigFile;
import dev.transflow.simulate.CsvSink;
import dev.transflow.simulate.EventSink;
import dev.transflow.simulate.KafkaSink;
import dev.transflow.simulate.PacedSink;
import dev.transflow.simulate.SimulationReport;
import dev.transflow.simulate.Simulator;
import dev.transflow.simulate.SimulatorOptions;
import dev.transflow.simulate.WorldPreset;
import dev.transflow.topic.EventProducer;

import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code transflow simulate}: a seeded multi-entity world with known click behaviour, to files or Kafka. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Generate product (source) and post (target) impressions and clicks of a simulated world "
                + "whose click probabilities are known, and print the oracle AUC and GAUC per domain.",
                "Same --world, --seed and options: byte-identical output."},
        footer = {"", "Worlds: default (stationary), recurring-drift (interest phases that recur), harmful-source "
                + "(some product categories contradict post interests), cross-domain (related but different "
                + "entities: transfer must be selective).",
                "World parameters: 'transflow simulate --list-options', set with --set key=value."})
final class SimulateCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--world", paramLabel = "NAME", defaultValue = "default",
            description = "default, recurring-drift, harmful-source or cross-domain (default: ${DEFAULT-VALUE}).")
    String world;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--impressions", paramLabel = "N", defaultValue = "1000000",
            description = "Impressions to generate; 0 = until interrupted (default: ${DEFAULT-VALUE}).")
    long impressions;

    static final class Output {
        @Option(names = "--out", paramLabel = "DIR",
                description = "Write DIR/source.csv and DIR/target.csv in the generic CSV format.")
        Path out;

        @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
                description = "Send impressions and clicks to Kafka instead (topics products.impressions, "
                        + "posts.impressions, clicks).")
        String bootstrap;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Output output;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "0",
            description = "Impressions per second of wall-clock time; 0 = as fast as possible (default).")
    double rate;

    @Option(names = "--config", paramLabel = "FILE.yaml",
            description = "Read world parameters from a YAML file (nested or dotted keys); --set wins over it.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set a world parameter (repeatable).")
    List<String> settings = new ArrayList<>();

    @Option(names = "--list-options", description = "List the world parameters with their defaults and exit.")
    boolean listOptions;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (listOptions) {
            out.print(SimulatorOptions.describe());
            out.flush();
            return 0;
        }
        if (output == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Say where the events go: --out DIR or "
                    + "--bootstrap HOST:PORT");
        }
        if (impressions < 0 || rate < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--impressions and --rate must be >= 0");
        }
        if (impressions == 0 && output.out != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--impressions 0 (unbounded) needs "
                    + "--bootstrap; files need a size");
        }
        Configuration config;
        try {
            config = WorldPreset.ofCliName(world).configuration();
            if (configFile != null) {
                for (var e : ConfigFile.read(configFile).entrySet()) {
                    SimulatorOptions.set(config, e.getKey() + "=" + e.getValue());
                }
            }
            for (String setting : settings) {
                SimulatorOptions.set(config, setting);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Simulator simulator;
        try {
            simulator = new Simulator(config, seed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        EventSink sink = output.out != null
                ? new CsvSink(simulator.world(), output.out)
                : new KafkaSink(simulator.world(), new EventProducer(output.bootstrap), "s" + seed);
        if (rate > 0) {
            sink = new PacedSink(sink, rate);
        }
        SimulationReport report;
        try (ShutdownSignal stop = new ShutdownSignal("simulate"); EventSink closing = sink) {
            report = simulator.run(impressions, closing, stop);
        }
        out.println("world " + world + ", seed " + seed + " -> "
                + (output.out != null ? output.out.toAbsolutePath().normalize() : "kafka " + output.bootstrap));
        out.println(report.format());
        out.flush();
        return 0;
    }
}

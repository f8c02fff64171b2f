package dev.transflow.cli;

import dev.transflow.job.SampleJobOptions;
import dev.transflow.source.SourceOptions;
import dev.transflow.topic.TopicIo;
import dev.transflow.train.TrainerOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.description.HtmlFormatter;
import picocli.CommandLine.Option;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Job settings on the command line: {@code --set key=value} for any Transflow or Flink option (the one
 * configuration mechanism: Flink's typed {@link ConfigOption}s), and {@code --list-options} to show Transflow's.
 */
final class JobSettings {

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Set a Transflow option (see --list-options) or any Flink option, e.g. "
                    + "--set trainer.batch-size=512 --set execution.checkpointing.interval=30s (repeatable).")
    List<String> settings = new ArrayList<>();

    @Option(names = "--list-options", description = "List Transflow's job options with defaults and exit.")
    boolean listOptions;

    /** The {@code --set} values as a configuration. */
    Configuration configuration() {
        Map<String, String> map = new HashMap<>();
        for (String setting : settings) {
            int eq = setting.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set takes KEY=VALUE, got '" + setting + "'");
            }
            String key = setting.substring(0, eq).trim();
            String value = setting.substring(eq + 1).trim();
            check(key, value);
            map.put(key, value);
        }
        return Configuration.fromMap(map);
    }

    private static final List<String> NAMESPACES = List.of("source.", "join.", "history.", "trainer.", "snapshot.",
            "mem.", "tem.", "sink.", "kafka.");

    /** A Transflow key must exist and its value parse; other keys are Flink's to judge. */
    private static void check(String key, String value) {
        for (ConfigOption<?> option : options()) {
            if (option.key().equals(key)) {
                try {
                    Configuration.fromMap(Map.of(key, value)).get(option);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("Cannot read '" + value + "' as " + key + ": "
                            + e.getMessage(), e);
                }
                return;
            }
        }
        if (NAMESPACES.stream().anyMatch(key::startsWith)) {
            throw new IllegalArgumentException("Unknown option '" + key + "'; run with --list-options for the "
                    + "options this command knows");
        }
    }

    private static List<ConfigOption<?>> options() {
        List<ConfigOption<?>> out = new ArrayList<>();
        for (Class<?> holder : List.of(SourceOptions.class, SampleJobOptions.class, TrainerOptions.class,
                TopicIo.class)) {
            for (var field : holder.getFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
                    try {
                        out.add((ConfigOption<?>) field.get(null));
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return out;
    }

    /** Every Transflow job option with its default and description. */
    static String describe() {
        StringBuilder out = new StringBuilder();
        for (ConfigOption<?> option : options()) {
            out.append(String.format("%-30s default %s%n    %s%n", option.key(),
                    option.hasDefaultValue() ? option.defaultValue() : "(none)",
                    new HtmlFormatter().format(option.description())));
        }
        return out.toString();
    }
}

package dev.transflow.config;

import dev.transflow.history.HistoryOptions;
import dev.transflow.join.JoinOptions;
import dev.transflow.model.registry.Suggestions;
import dev.transflow.snapshot.SnapshotOptions;
import dev.transflow.source.SourceOptions;
import dev.transflow.topic.KafkaOptions;
import dev.transflow.topic.SinkOptions;
import dev.transflow.train.MemOptions;
import dev.transflow.train.TemOptions;
import dev.transflow.train.TrainerOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The one list of Transflow's option holders, and what follows from it: which keys exist (under
 * {@value #ROOT}, or a deprecated key from before it), how a key is spelt now, and whether a configuration's values
 * can be read and pass their checks. Keys under {@link #MODEL_PREFIXES} are the model registry's and pass untouched.
 */
public final class OptionCatalogue {

    private OptionCatalogue() {}

    /** The root of every Transflow key. */
    public static final String ROOT = "transflow.";

    /** Prefixes of model hyper-parameters: validated by the model registry, not here. */
    public static final List<String> MODEL_PREFIXES = List.of(ROOT + "model.", "model.");

    private static final List<OptionHolder> HOLDERS = Stream.of(SourceOptions.class, JoinOptions.class,
            HistoryOptions.class, TrainerOptions.class, SnapshotOptions.class, MemOptions.class, TemOptions.class,
            SinkOptions.class, KafkaOptions.class).map(OptionHolder::of).toList();

    /** Every key, current or deprecated, with the option it names. */
    private static final Map<String, ConfigOption<?>> BY_KEY = byKey();

    /** Prefixes of the deprecated keys ({@code source.}, ...): a typo under one is as wrong as under the root. */
    private static final Set<String> OLD_PREFIXES = oldPrefixes();

    public static List<OptionHolder> holders() {
        return HOLDERS;
    }

    public static List<ConfigOption<?>> options() {
        return HOLDERS.stream().flatMap(h -> h.options().stream()).toList();
    }

    public static boolean isModelKey(String key) {
        return MODEL_PREFIXES.stream().anyMatch(key::startsWith);
    }

    /** Whether {@code key} is Transflow's to judge: under the root or a prefix of the deprecated keys. */
    public static boolean isTransflowKey(String key) {
        return !isModelKey(key) && (key.startsWith(ROOT) || OLD_PREFIXES.stream().anyMatch(key::startsWith));
    }

    /**
     * {@code key} as it is spelt now: the current key for a deprecated one, any other key unchanged.
     *
     * @throws IllegalArgumentException for a Transflow key that names no option, with the closest that does
     */
    public static String canonicalKey(String key) {
        ConfigOption<?> option = BY_KEY.get(key);
        if (option != null) {
            return option.key();
        }
        if (isTransflowKey(key)) {
            throw new IllegalArgumentException("Unknown option '" + key + "'; did you mean '" + closest(key)
                    + "'? --list-options (or 'transflow config --print-defaults') lists every Transflow option");
        }
        return key;
    }

    /** The current key of the option whose key, current or deprecated, is nearest to {@code key} in edits. */
    static String closest(String key) {
        // Sorted, so that among equally near keys the same one is suggested every time.
        return BY_KEY.get(Suggestions.closest(key, new TreeSet<>(BY_KEY.keySet()))).key();
    }

    /**
     * Reads every Transflow option of {@code config} and runs every check, the options' own and the holders' named
     * ones across options, so that a bad value fails at submission rather than when the job starts. Meant for the
     * configuration a job is built with: the named checks see defaults where it leaves options unset.
     *
     * @throws IllegalArgumentException naming the key and the reason
     */
    public static void validate(Configuration config) {
        validateValues(config);
        for (OptionHolder holder : HOLDERS) {
            holder.validators().namedChecks().values().forEach(check -> check.accept(config));
        }
    }

    /**
     * Reads every Transflow option of {@code config} and runs the options' own checks, not those across options:
     * for settings a job will still lay over its own defaults.
     */
    public static void validateValues(Configuration config) {
        Map<String, String> raw = config.toMap();
        for (OptionHolder holder : HOLDERS) {
            for (ConfigOption<?> option : holder.options()) {
                try {
                    config.get(option);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("Cannot read '" + rawValue(raw, option) + "' as "
                            + option.key() + ": " + e.getMessage(), e);
                }
                holder.validators().get(config, option);
            }
        }
    }

    /**
     * The model hyper-parameters of {@code settings}, keyed {@code model.<option>} or {@code model.<model>.<option>}
     * ({@code transflow.model.…} read as {@code model.…}), for the model registry to judge.
     */
    public static Map<String, String> modelSettings(Map<String, String> settings) {
        Map<String, String> out = new TreeMap<>();
        settings.forEach((key, value) -> {
            if (isModelKey(key)) {
                out.put(key.startsWith(ROOT) ? key.substring(ROOT.length()) : key, value);
            }
        });
        return out;
    }

    private static String rawValue(Map<String, String> raw, ConfigOption<?> option) {
        if (raw.containsKey(option.key())) {
            return raw.get(option.key());
        }
        for (FallbackKey fallback : option.fallbackKeys()) {
            if (raw.containsKey(fallback.getKey())) {
                return raw.get(fallback.getKey());
            }
        }
        return String.valueOf(option.defaultValue());
    }

    private static Map<String, ConfigOption<?>> byKey() {
        Map<String, ConfigOption<?>> out = new LinkedHashMap<>();
        for (ConfigOption<?> option : options()) {
            add(out, option.key(), option);
            for (FallbackKey fallback : option.fallbackKeys()) {
                add(out, fallback.getKey(), option);
            }
        }
        return out;
    }

    private static void add(Map<String, ConfigOption<?>> keys, String key, ConfigOption<?> option) {
        ConfigOption<?> other = keys.putIfAbsent(key, option);
        if (other != null) {
            throw new IllegalStateException("Options " + other.key() + " and " + option.key() + " share key " + key);
        }
    }

    private static Set<String> oldPrefixes() {
        Set<String> out = new LinkedHashSet<>();
        for (ConfigOption<?> option : options()) {
            for (FallbackKey fallback : option.fallbackKeys()) {
                String key = fallback.getKey();
                out.add(key.substring(0, key.indexOf('.') + 1));
            }
        }
        return out;
    }
}

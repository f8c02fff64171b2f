package dev.transflow.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The value checks of one holder's options, each declared where its option is, and the holder's named checks that
 * relate several options. Jobs read checked options through {@link #get}; {@link OptionCatalogue#validate} runs all
 * of them when a job is submitted, so that a bad value fails before the job starts.
 */
public final class Validators {

    /** What is wrong with a value of an option. */
    @FunctionalInterface
    public interface Check<T> {
        /** The reason {@code value} is not acceptable, as in "{@code <key> is <reason>}", or null when it is. */
        String problem(T value);
    }

    private final Map<ConfigOption<?>, Check<?>> checks = new LinkedHashMap<>();
    private final Map<String, Consumer<Configuration>> named = new LinkedHashMap<>();

    /** Declares {@code check} for {@code option}, which it returns, so that both read as one declaration. */
    public <T> ConfigOption<T> add(ConfigOption<T> option, Check<? super T> check) {
        if (checks.putIfAbsent(option, check) != null) {
            throw new IllegalStateException("Two checks for " + option.key());
        }
        return option;
    }

    /**
     * Declares a check across options under {@code name}: it reads them through {@code config} and throws an
     * {@link IllegalArgumentException} that names them when they do not fit together.
     */
    public Validators named(String name, Consumer<Configuration> check) {
        if (named.putIfAbsent(name, check) != null) {
            throw new IllegalStateException("Two checks named " + name);
        }
        return this;
    }

    /** The value of {@code option} in {@code config}, checked. */
    @SuppressWarnings("unchecked")
    public <T> T get(Configuration config, ConfigOption<T> option) {
        T value = config.get(option);
        Check<? super T> check = (Check<? super T>) checks.get(option);
        String problem = check == null || value == null ? null : check.problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(option.key() + " is " + problem);
        }
        return value;
    }

    /** The named checks, in declaration order. */
    Map<String, Consumer<Configuration>> namedChecks() {
        return Collections.unmodifiableMap(named);
    }

    // The checks options share.

    public static Check<Integer> atLeast(int min) {
        return value -> value < min ? value + "; it must be at least " + min : null;
    }

    public static Check<Long> atLeast(long min) {
        return value -> value < min ? value + "; it must be at least " + min : null;
    }

    public static Check<Duration> notNegative() {
        return value -> value.isNegative() ? value + "; it must be >= 0" : null;
    }

    public static Check<Duration> positive() {
        return value -> value.isNegative() || value.isZero() ? value + "; it must be positive" : null;
    }
}

package dev.transflow.model.registry;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One model hyper-parameter: a kebab-case key (set as {@code model.<key>} or {@code model.<model>.<key>}), its
 * type, default, description and the values it accepts. Options are values, compared by key.
 */
public final class ModelOption<T> {

    private final String key;
    private final Class<T> type;
    private final String typeName;
    private final T defaultValue;
    private final String description;
    private final OptionValidator<T> validator;
    private final Function<String, T> parser;
    private final Function<T, String> formatter;

    private ModelOption(String key, Class<T> type, String typeName, T defaultValue, String description,
            OptionValidator<T> validator, Function<String, T> parser, Function<T, String> formatter) {
        this.key = key;
        this.type = type;
        this.typeName = typeName;
        this.defaultValue = defaultValue;
        this.description = description;
        this.validator = validator;
        this.parser = parser;
        this.formatter = formatter;
        if (!validator.accepts(defaultValue)) {
            throw new IllegalStateException("The default of " + key + " must be " + validator.rule());
        }
    }

    public static ModelOption<Integer> intOption(String key, int defaultValue, String description,
            OptionValidator<Integer> validator) {
        return new ModelOption<>(key, Integer.class, "int", defaultValue, description, validator,
                text -> Integer.valueOf(text), String::valueOf);
    }

    public static ModelOption<Float> floatOption(String key, float defaultValue, String description,
            OptionValidator<Float> validator) {
        return new ModelOption<>(key, Float.class, "float", defaultValue, description, validator, ModelOption::finite,
                String::valueOf);
    }

    public static ModelOption<Double> doubleOption(String key, double defaultValue, String description,
            OptionValidator<Double> validator) {
        return new ModelOption<>(key, Double.class, "double", defaultValue, description, validator,
                ModelOption::finiteDouble, String::valueOf);
    }

    public static ModelOption<Boolean> booleanOption(String key, boolean defaultValue, String description) {
        return new ModelOption<>(key, Boolean.class, "true|false", defaultValue, description, OptionValidator.any(),
                ModelOption::strictBoolean, String::valueOf);
    }

    public static <E extends Enum<E>> ModelOption<E> enumOption(String key, Class<E> type, E defaultValue,
            String description) {
        String names = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining("|"));
        return new ModelOption<>(key, type, names, defaultValue, description, OptionValidator.any(),
                text -> Enum.valueOf(type, text.toUpperCase(Locale.ROOT)), e -> e.name().toLowerCase(Locale.ROOT));
    }

    /** Comma-separated layer sizes, e.g. {@code 128,64}. */
    public static ModelOption<int[]> intListOption(String key, int[] defaultValue, String description,
            OptionValidator<int[]> validator) {
        return new ModelOption<>(key, int[].class, "int list", defaultValue.clone(), description, validator,
                text -> Arrays.stream(text.split(",", -1)).map(String::trim).mapToInt(Integer::parseInt).toArray(),
                v -> Arrays.stream(v).mapToObj(String::valueOf).collect(Collectors.joining(",")));
    }

    public String key() {
        return key;
    }

    public Class<T> type() {
        return type;
    }

    /** The type as a user writes it: {@code int}, {@code true|false}, {@code samples|domains}. */
    public String typeName() {
        return typeName;
    }

    public T defaultValue() {
        return defaultValue instanceof int[] a ? type.cast(a.clone()) : defaultValue;
    }

    public String description() {
        return description;
    }

    public OptionValidator<T> validator() {
        return validator;
    }

    /**
     * The value {@code text} stands for, checked against the validator.
     *
     * @param setting the setting's full key, for the message
     * @throws IllegalArgumentException naming the setting, the text and what was expected
     */
    public T parse(String setting, String text) {
        T value;
        try {
            value = parser.apply(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Cannot read '" + text + "' as " + setting + " (" + typeName + ")");
        }
        return check(setting, value);
    }

    public T check(String setting, T value) {
        if (!validator.accepts(value)) {
            throw new IllegalArgumentException(setting + " must be " + validator.rule() + ", got " + format(value));
        }
        return value;
    }

    public String format(T value) {
        return value == null ? "null" : formatter.apply(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelOption<?> other && key.equals(other.key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        return key;
    }

    // Float.parseFloat reads "NaN" and "Infinity", which no hyper-parameter means.
    private static float finite(String text) {
        float v = Float.parseFloat(text);
        if (!Float.isFinite(v)) {
            throw new NumberFormatException("not finite: " + text);
        }
        return v;
    }

    private static double finiteDouble(String text) {
        double v = Double.parseDouble(text);
        if (!Double.isFinite(v)) {
            throw new NumberFormatException("not finite: " + text);
        }
        return v;
    }

    private static boolean strictBoolean(String text) {
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new IllegalArgumentException("not a boolean: " + text);
    }
}

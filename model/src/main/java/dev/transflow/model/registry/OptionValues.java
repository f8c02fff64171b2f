package dev.transflow.model.registry;

import dev.transflow.model.train.ModelConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Model settings by key: {@code model.<option>} applies to every model, {@code model.<model>.<option>} to one model
 * and wins over the former. Keys and values are checked when parsed, so a typo fails before any training starts.
 */
public final class OptionValues {

    public static final String PREFIX = "model.";

    private static final OptionValues EMPTY = new OptionValues(Map.of(), Map.of());

    private final Map<ModelOption<?>, Object> shared;
    private final Map<String, Map<ModelOption<?>, Object>> perModel;

    private OptionValues(Map<ModelOption<?>, Object> shared, Map<String, Map<ModelOption<?>, Object>> perModel) {
        this.shared = shared;
        this.perModel = perModel;
    }

    /** No settings: every model gets the option defaults. */
    public static OptionValues empty() {
        return EMPTY;
    }

    /**
     * @param settings keys that all start with {@value #PREFIX}, values as text
     * @throws IllegalArgumentException for a key outside {@value #PREFIX}, an unknown option or model (naming the
     *     closest valid key), an option the named model does not read, or a value the option does not accept
     */
    public static OptionValues parse(Map<String, String> settings) {
        Map<ModelOption<?>, Object> shared = new LinkedHashMap<>();
        Map<String, Map<ModelOption<?>, Object>> perModel = new LinkedHashMap<>();
        // Sorted, so that with several mistakes the same one is reported every time.
        for (Map.Entry<String, String> e : new TreeMap<>(settings).entrySet()) {
            String key = e.getKey().trim();
            if (!key.startsWith(PREFIX)) {
                throw new IllegalArgumentException("Model setting '" + key + "' must start with " + PREFIX
                        + " (" + PREFIX + "<option> or " + PREFIX + "<model>.<option>)");
            }
            String[] parts = key.substring(PREFIX.length()).split("\\.", -1);
            if (parts.length == 1) {
                ModelOption<?> option = option(key, parts[0], ModelOptions.keys(), PREFIX);
                shared.put(option, option.parse(key, e.getValue()));
            } else if (parts.length == 2) {
                ModelSpec spec = model(key, parts[0], parts[1]);
                ModelOption<?> option = option(key, parts[1], ModelOptions.keys(), PREFIX + spec.name() + ".");
                if (!spec.reads(option)) {
                    throw new IllegalArgumentException("Model " + spec.name() + " does not read " + option.key()
                            + " (" + key + "); its options: " + spec.options().stream().map(ModelOption::key)
                            .collect(Collectors.joining(", ")));
                }
                perModel.computeIfAbsent(spec.name(), n -> new LinkedHashMap<>())
                        .put(option, option.parse(key, e.getValue()));
            } else {
                throw new IllegalArgumentException("Model setting '" + key + "' has too many parts; use " + PREFIX
                        + "<option> or " + PREFIX + "<model>.<option>");
            }
        }
        return new OptionValues(shared, perModel);
    }

    /**
     * The value {@code model} gets for {@code option}: its own setting, else the shared one, else the model's
     * default, else the option's.
     */
    public <T> T get(String model, ModelOption<T> option) {
        return setting(model, option).orElseGet(() -> ModelRegistry.spec(model).defaultValue(option));
    }

    /** The value these settings give {@code model} for {@code option}: its own, else the shared one, if either. */
    public <T> Optional<T> setting(String model, ModelOption<T> option) {
        ModelRegistry.spec(model);
        Object own = perModel.getOrDefault(model, Map.of()).get(option);
        return Optional.ofNullable(own != null ? own : shared.get(option)).map(option.type()::cast);
    }

    /** {@link ModelConfig#defaults()} with the model's own defaults and every setting that applies to it. */
    public ModelConfig config(String model) {
        Map<ModelOption<?>, Object> values = new LinkedHashMap<>(ModelRegistry.spec(model).defaults());
        values.putAll(shared);
        values.putAll(perModel.getOrDefault(model, Map.of()));
        ModelConfig config = ModelConfig.defaults();
        for (Map.Entry<ModelOption<?>, Object> e : values.entrySet()) {
            config = set(config, e.getKey(), e.getValue());
        }
        return config;
    }

    /** The settings as keys and text again, in parse order. */
    public Map<String, String> asMap() {
        Map<String, String> out = new LinkedHashMap<>();
        shared.forEach((option, value) -> out.put(PREFIX + option.key(), format(option, value)));
        perModel.forEach((model, values) -> values.forEach((option, value) ->
                out.put(PREFIX + model + "." + option.key(), format(option, value))));
        return out;
    }

    @Override
    public String toString() {
        return asMap().toString();
    }

    private static ModelSpec model(String key, String name, String optionKey) {
        return ModelRegistry.find(name).orElseThrow(() -> {
            List<String> keys = new ArrayList<>();
            ModelRegistry.ALL.forEach(m -> keys.add(PREFIX + m + "." + optionKey));
            return new IllegalArgumentException("Unknown model '" + name + "' in '" + key + "'; did you mean '"
                    + Suggestions.closest(key, keys) + "'? Models: " + ModelRegistry.ALL);
        });
    }

    private static ModelOption<?> option(String key, String optionKey, List<String> optionKeys, String prefix) {
        return ModelOptions.byKey(optionKey).orElseThrow(() -> {
            if (prefix.equals(PREFIX) && ModelRegistry.find(optionKey).isPresent()) {
                return new IllegalArgumentException("'" + key + "' names a model but no option; set one with "
                        + key + ".<option>");
            }
            List<String> keys = optionKeys.stream().map(k -> prefix + k).toList();
            return new IllegalArgumentException("Unknown model option '" + key + "'; did you mean '"
                    + Suggestions.closest(key, keys) + "'?");
        });
    }

    private static <T> ModelConfig set(ModelConfig config, ModelOption<T> option, Object value) {
        return ModelOptions.set(config, option, option.type().cast(value));
    }

    private static <T> String format(ModelOption<T> option, Object value) {
        return option.format(option.type().cast(value));
    }
}

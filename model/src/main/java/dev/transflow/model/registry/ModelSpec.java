package dev.transflow.model.registry;

import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.model.train.PretrainingModel;
import dev.transflow.model.train.StreamingModel;
import dev.transflow.schemas.ModelKind;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One registered model: its name, what it is, how to build it, which options change it, and the knowledge it
 * exchanges with other jobs. A new model is one {@code ModelSpec} in {@link ModelRegistry}.
 */
public final class ModelSpec {

    private final String name;
    private final String description;
    private final ModelFactory<?> factory;
    private final Set<ModelOption<?>> options;
    private final boolean byDefault;
    private final ModelKind produces;
    private final Map<ModelKind, ModelFactory<? extends PretrainingModel>> producers;
    private final Map<ModelOption<?>, Object> defaults;

    private ModelSpec(Builder b) {
        this.name = b.name;
        this.description = b.description;
        this.factory = b.factory;
        // In ModelOptions' order, so listings read alike.
        Set<ModelOption<?>> read = new LinkedHashSet<>();
        ModelOptions.all().stream().filter(b.options::contains).forEach(read::add);
        this.options = Collections.unmodifiableSet(read);
        this.byDefault = b.byDefault;
        this.produces = b.produces;
        this.producers = Collections.unmodifiableMap(new EnumMap<>(b.producers));
        this.defaults = Collections.unmodifiableMap(new LinkedHashMap<>(b.defaults));
    }

    public static Builder builder(String name, String description, ModelFactory<?> factory) {
        return new Builder(name, description, factory);
    }

    public String name() {
        return name;
    }

    /** One line for listings. */
    public String description() {
        return description;
    }

    public ModelFactory<?> factory() {
        return factory;
    }

    /**
     * The options whose value changes this model; setting another one for it alone ({@code model.<name>.<key>})
     * is a mistake and is rejected.
     */
    public Set<ModelOption<?>> options() {
        return options;
    }

    public boolean reads(ModelOption<?> option) {
        return options.contains(option);
    }

    /** The value this model gets for {@code option} when nobody sets it: its own default, else the option's. */
    public <T> T defaultValue(ModelOption<T> option) {
        Object own = defaults.get(option);
        return own != null ? option.type().cast(own) : option.defaultValue();
    }

    /** The options whose default this model changes, with its values. */
    public Map<ModelOption<?>, Object> defaults() {
        return defaults;
    }

    /** Whether {@code transflow evaluate} compares it unless told which models to run. */
    public boolean byDefault() {
        return byDefault;
    }

    /** The knowledge kinds this model reads from other jobs' snapshots: MEM for MKT, none for the baselines. */
    public Set<ModelKind> consumes() {
        return producers.keySet();
    }

    /** The kind its own trained snapshots are published as (the TEM job publishes every target model). */
    public ModelKind produces() {
        return produces;
    }

    /**
     * For a knowledge kind this model consumes: builds the model that kind's pre-training job trains and publishes
     * for it (the same graph where the knowledge is one of its parameter groups, so the weights load).
     */
    public Optional<ModelFactory<? extends PretrainingModel>> producer(ModelKind kind) {
        return Optional.ofNullable(producers.get(kind));
    }

    public StreamingModel create(SampleEncoder encoder, ModelConfig config, long seed) {
        return factory.create(name, encoder, config, seed);
    }

    @Override
    public String toString() {
        return name;
    }

    public static final class Builder {
        private final String name;
        private final String description;
        private final ModelFactory<?> factory;
        private final List<ModelOption<?>> options = new ArrayList<>();
        private boolean byDefault = true;
        private ModelKind produces = ModelKind.TEM;
        private final Map<ModelKind, ModelFactory<? extends PretrainingModel>> producers =
                new EnumMap<>(ModelKind.class);
        private final Map<ModelOption<?>, Object> defaults = new LinkedHashMap<>();

        private Builder(String name, String description, ModelFactory<?> factory) {
            this.name = name;
            this.description = description;
            this.factory = factory;
        }

        public Builder reads(Collection<ModelOption<?>> read) {
            options.addAll(read);
            return this;
        }

        public Builder reads(ModelOption<?>... read) {
            return reads(List.of(read));
        }

        /** For a variant of another model that leaves some of its options unused. */
        public Builder ignores(ModelOption<?>... unused) {
            options.removeAll(List.of(unused));
            return this;
        }

        /**
         * Gives this model its own default for {@code option}; a {@code model.<option>} or {@code
         * model.<name>.<option>} setting still wins.
         */
        public <T> Builder defaultValue(ModelOption<T> option, T value) {
            defaults.put(option, option.type().cast(value));
            return this;
        }

        /** Reads knowledge of {@code kind}, which that kind's pre-training job trains with {@code producer}'s model. */
        public Builder consumes(ModelKind kind, ModelFactory<? extends PretrainingModel> producer) {
            if (kind == ModelKind.TEM) {
                throw new IllegalArgumentException("Model " + name + ": TEM is what target models produce, not "
                        + "knowledge they consume");
            }
            producers.put(kind, producer);
            return this;
        }

        public Builder produces(ModelKind kind) {
            produces = kind;
            return this;
        }

        /** Left out of {@code transflow evaluate}'s default comparison. */
        public Builder notByDefault() {
            byDefault = false;
            return this;
        }

        public ModelSpec build() {
            if (!name.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
                throw new IllegalArgumentException("Model names are kebab-case (they appear in option keys), got '"
                        + name + "'");
            }
            for (ModelOption<?> option : defaults.keySet()) {
                if (!options.contains(option)) {
                    throw new IllegalArgumentException("Model " + name + " sets a default for " + option.key()
                            + ", which it does not read");
                }
            }
            return new ModelSpec(this);
        }
    }
}

package dev.transflow.simulate;

import org.apache.flink.configuration.Configuration;

import java.time.Duration;
import java.util.Locale;

/** Named worlds of {@code transflow simulate --world}; explicit {@code --set} options override them. */
public enum WorldPreset {
    /** Stationary interests; source and target agree. */
    DEFAULT("Stationary interests; products and posts share user interests and categories."),
    /** Interest phases that shift and later recur, to measure forgetting. */
    RECURRING_DRIFT("Three interest phases of 10 minutes each, recurring cyclically: old patterns come back."),
    /** Some source categories whose click behaviour contradicts the target's, to show negative transfer. */
    HARMFUL_SOURCE("30% of categories: product clicks follow the opposite of the users' post interests.");

    private final String description;

    WorldPreset(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** The name on the command line, e.g. {@code recurring-drift}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static WorldPreset ofCliName(String name) {
        for (WorldPreset preset : values()) {
            if (preset.cliName().equals(name)) {
                return preset;
            }
        }
        throw new IllegalArgumentException("Unknown world '" + name + "'; choose default, recurring-drift or "
                + "harmful-source");
    }

    /** The preset's settings, on top of the option defaults. */
    public Configuration configuration() {
        Configuration config = new Configuration();
        switch (this) {
            case RECURRING_DRIFT:
                config.set(SimulatorOptions.DRIFT_PHASES, 3);
                config.set(SimulatorOptions.DRIFT_PHASE_LENGTH, Duration.ofMinutes(10));
                config.set(SimulatorOptions.DRIFT_STRENGTH, 1.2);
                break;
            case HARMFUL_SOURCE:
                config.set(SimulatorOptions.HARMFUL_CATEGORY_FRACTION, 0.3);
                break;
            default:
                break;
        }
        return config;
    }
}

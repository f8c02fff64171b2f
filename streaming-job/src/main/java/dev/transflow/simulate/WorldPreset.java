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
    HARMFUL_SOURCE("30% of categories: product clicks follow the opposite of the users' post interests."),
    /**
     * Products and posts related but not alike: source data helps the target only when it is transferred
     * selectively, not when the two entity types are treated as one.
     */
    CROSS_DOMAIN("Post interests correlate 0.7 with product interests; 8 post-only categories; media type and "
            + "condition scale the interest term; brand and content style are noise; per-user product share "
            + "(product-rich users cold in posts); steeper position bias on posts.");

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
        throw new IllegalArgumentException("Unknown world '" + name + "'; choose default, recurring-drift, "
                + "harmful-source or cross-domain");
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
            case CROSS_DOMAIN:
                // Related interests, but a user's own history matters more than in the default world, so knowing
                // a product-rich user's product clicks is worth much to the sparse post domain.
                config.set(SimulatorOptions.INTEREST_CORRELATION, 0.7);
                config.set(SimulatorOptions.INDIVIDUAL_INTEREST_VARIANCE, 2.0);
                config.set(SimulatorOptions.POST_ONLY_CATEGORIES, 8);
                config.set(SimulatorOptions.SPECIFIC_MODULATION, 1.0);
                config.set(SimulatorOptions.NOISE_SPECIFIC_FIELDS, true);
                config.set(SimulatorOptions.SOURCE_POSITION_EFFECT, -0.05);
                config.set(SimulatorOptions.TARGET_POSITION_EFFECT, -0.15);
                config.set(SimulatorOptions.DOMAIN_SHARE_SPREAD, 0.5);
                break;
            default:
                break;
        }
        return config;
    }
}

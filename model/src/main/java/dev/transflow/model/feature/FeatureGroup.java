package dev.transflow.model.feature;

import java.util.Locale;

/** The feature groups of MKT §3.2.1 that a column or field can belong to (behaviour sequences come from joins). */
public enum FeatureGroup {
    /** User profile: age, gender, city, ... identical for both entity types. */
    USER,
    /** Entity-shared: present with one meaning on both entity types (category, creator). */
    SHARED,
    /** Entity-specific: present on one entity type only (price for products, content style for posts). */
    SPECIFIC;

    /** The column prefix in the generic CSV format, e.g. {@code user}. */
    public String prefix() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The group of a column prefix ({@code user}, {@code shared}, {@code specific}), or null for any other. */
    public static FeatureGroup ofPrefix(String prefix) {
        for (FeatureGroup group : values()) {
            if (group.prefix().equals(prefix)) {
                return group;
            }
        }
        return null;
    }
}

package dev.transflow.model.registry;

import java.util.function.Predicate;

/**
 * The values a {@link ModelOption} accepts, with the rule in words for the error message. Kept next to the option
 * so that every way of setting it ({@code --set}, a shorthand flag, a job setting) is checked alike.
 *
 * @param rule what a valid value is, completing "must be ...", e.g. {@code ">= 1"}
 */
public record OptionValidator<T>(String rule, Predicate<T> test) {

    public boolean accepts(T value) {
        return value != null && test.test(value);
    }

    public static <T> OptionValidator<T> any() {
        return new OptionValidator<>("set", v -> true);
    }

    public static <T extends Number> OptionValidator<T> gtEq(double bound) {
        return new OptionValidator<>(">= " + text(bound), v -> v.doubleValue() >= bound);
    }

    public static <T extends Number> OptionValidator<T> gt(double bound) {
        return new OptionValidator<>("> " + text(bound), v -> v.doubleValue() > bound);
    }

    /** A half-open range {@code [low, high)}: rates and fractions whose upper end is degenerate. */
    public static <T extends Number> OptionValidator<T> inRange(double low, double high) {
        return new OptionValidator<>("in [" + text(low) + ", " + text(high) + ")",
                v -> v.doubleValue() >= low && v.doubleValue() < high);
    }

    /** Layer sizes of a network that ends in one click logit. */
    public static OptionValidator<int[]> layersEndingInOne() {
        OptionValidator<int[]> positive = positiveLayers();
        return new OptionValidator<>("positive layer sizes ending in 1 (the click logit)",
                v -> positive.accepts(v) && v[v.length - 1] == 1);
    }

    /** Hidden layer sizes: at least one layer, every size positive. */
    public static OptionValidator<int[]> positiveLayers() {
        return new OptionValidator<>("one or more positive layer sizes", v -> {
            for (int units : v) {
                if (units < 1) {
                    return false;
                }
            }
            return v.length > 0;
        });
    }

    private static String text(double bound) {
        return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
    }
}

package dev.transflow.join;

import dev.transflow.config.Validators;
import dev.transflow.source.SourceOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.time.Duration;

/** {@code transflow.join.*}: how the sample join labels impressions with clicks. */
public final class JoinOptions {

    private JoinOptions() {}

    public static final String PREFIX = "transflow.join.";

    public static final Validators VALIDATORS = new Validators();

    public static final ConfigOption<Duration> ATTRIBUTION_WINDOW = VALIDATORS.add(ConfigOptions
            .key(PREFIX + "attribution-window").durationType().defaultValue(Duration.ofMinutes(5))
            .withDeprecatedKeys("join.attribution-window")
            .withDescription("A click at most this long after its impression (event time) labels it positive. "
                    + "Must be longer than transflow.source.max-future-skew."),
            Validators.positive());

    public static final ConfigOption<Duration> LATE_CLICK_RETENTION = VALIDATORS.add(ConfigOptions
            .key(PREFIX + "late-click-retention").durationType().defaultValue(Duration.ofHours(1))
            .withDeprecatedKeys("join.late-click-retention")
            .withDescription("How long a labeled impression is remembered (processing time, state TTL) to recognise "
                    + "late clicks and reused impression ids, and how long (event time) a click waits for an "
                    + "impression that has not arrived."),
            Validators.positive());

    public static Duration lateClickRetention(Configuration config) {
        return VALIDATORS.get(config, LATE_CLICK_RETENTION);
    }

    static {
        VALIDATORS.named("future-skew-within-attribution-window", JoinOptions::attributionWindow);
    }

    /**
     * {@link #ATTRIBUTION_WINDOW}: positive, and longer than {@link SourceOptions#MAX_FUTURE_SKEW}, or a single
     * accepted event from the future would close every open window, as negatives.
     */
    public static Duration attributionWindow(Configuration config) {
        Duration window = VALIDATORS.get(config, ATTRIBUTION_WINDOW);
        Duration skew = SourceOptions.maxFutureSkew(config);
        if (skew.compareTo(window) >= 0) {
            throw new IllegalArgumentException(String.format("%s (%s) must be shorter than %s (%s): one accepted "
                    + "event that far ahead of the clock moves the watermark past every open window, which then "
                    + "closes as a negative. Set %s to a small part of the window, e.g. %s=%s, or lengthen the "
                    + "window", SourceOptions.MAX_FUTURE_SKEW.key(), skew, ATTRIBUTION_WINDOW.key(), window,
                    SourceOptions.MAX_FUTURE_SKEW.key(), SourceOptions.MAX_FUTURE_SKEW.key(), tenthOf(window)));
        }
        return window;
    }

    /** A tenth of {@code window}, as a value of a duration option. */
    private static String tenthOf(Duration window) {
        Duration tenth = window.dividedBy(10);
        return tenth.toMillis() % 1000 == 0 ? tenth.toSeconds() + "s" : tenth.toMillis() + "ms";
    }
}

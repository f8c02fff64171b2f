package dev.transflow.simulate;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.description.HtmlFormatter;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Parameters of the simulated world. Set them with {@code transflow simulate --set key=value}. */
public final class SimulatorOptions {

    private SimulatorOptions() {}

    public static final ConfigOption<Integer> USERS = ConfigOptions.key("simulator.users").intType()
            .defaultValue(20_000).withDescription("Users present at the start.");

    public static final ConfigOption<Double> NEW_USER_RATE = ConfigOptions.key("simulator.new-user-rate").doubleType()
            .defaultValue(0.01).withDescription("Probability that an impression is shown to a newly arriving "
                    + "(cold) user. Cold users come back more often than average for a while.");

    public static final ConfigOption<Integer> PRODUCTS = ConfigOptions.key("simulator.products").intType()
            .defaultValue(20_000).withDescription("Products (source entity) in the catalogue.");

    public static final ConfigOption<Integer> POSTS = ConfigOptions.key("simulator.posts").intType()
            .defaultValue(10_000).withDescription("Posts (target entity) in the catalogue.");

    public static final ConfigOption<Integer> CATEGORIES = ConfigOptions.key("simulator.categories").intType()
            .defaultValue(40).withDescription("Categories, shared by products and posts.");

    public static final ConfigOption<Integer> CREATORS = ConfigOptions.key("simulator.creators").intType()
            .defaultValue(2_000).withDescription("Creators (sellers of products, authors of posts), shared.");

    public static final ConfigOption<Integer> BRANDS = ConfigOptions.key("simulator.brands").intType()
            .defaultValue(300).withDescription("Product brands (a product-only feature).");

    public static final ConfigOption<Integer> CITIES = ConfigOptions.key("simulator.cities").intType()
            .defaultValue(30).withDescription("Cities of the user profile.");

    public static final ConfigOption<Integer> LATENT_DIM = ConfigOptions.key("simulator.latent-dim").intType()
            .defaultValue(8).withDescription("Dimension of user interests and item factors.");

    public static final ConfigOption<Double> SOURCE_SHARE = ConfigOptions.key("simulator.source-share").doubleType()
            .defaultValue(0.75).withDescription("Fraction of impressions that are products (0.75 = 3:1 source:target).");

    public static final ConfigOption<Double> SOURCE_CTR = ConfigOptions.key("simulator.source-ctr").doubleType()
            .defaultValue(0.036).withDescription("Mean click probability of product impressions (Tenrec video: 3.6%).");

    public static final ConfigOption<Double> TARGET_CTR = ConfigOptions.key("simulator.target-ctr").doubleType()
            .defaultValue(0.018).withDescription("Mean click probability of post impressions (Tenrec article: 1.8%).");

    public static final ConfigOption<Double> INTEREST_SCALE = ConfigOptions.key("simulator.interest-scale")
            .doubleType().defaultValue(1.5).withDescription("Weight of interest-item affinity in the click logit.");

    public static final ConfigOption<Double> IMPRESSIONS_PER_SECOND = ConfigOptions
            .key("simulator.impressions-per-second").doubleType().defaultValue(500.0)
            .withDescription("Mean impressions per second of event time (inter-arrival times are exponential).");

    public static final ConfigOption<Long> START_TIME = ConfigOptions.key("simulator.start-time").longType()
            .defaultValue(1_767_225_600_000L).withDescription("Event time of the first impression, epoch ms "
                    + "(default 2026-01-01T00:00:00Z).");

    public static final ConfigOption<Duration> CLICK_DELAY_MEDIAN = ConfigOptions.key("simulator.click-delay-median")
            .durationType().defaultValue(Duration.ofSeconds(4))
            .withDescription("Median delay from impression to click (log-normal).");

    public static final ConfigOption<Double> CLICK_DELAY_SPREAD = ConfigOptions.key("simulator.click-delay-spread")
            .doubleType().defaultValue(1.0).withDescription("Sigma of the log-normal click delay.");

    public static final ConfigOption<Double> LATE_CLICK_FRACTION = ConfigOptions
            .key("simulator.late-click-fraction").doubleType().defaultValue(0.02)
            .withDescription("Fraction of clicks that come after the attribution window (between one and two windows).");

    public static final ConfigOption<Duration> ATTRIBUTION_WINDOW = ConfigOptions.key("simulator.attribution-window")
            .durationType().defaultValue(Duration.ofMinutes(5))
            .withDescription("Attribution window the late clicks are placed beyond; match the label join's.");

    public static final ConfigOption<Integer> DRIFT_PHASES = ConfigOptions.key("simulator.drift.phases").intType()
            .defaultValue(1).withDescription("Interest phases that follow each other and recur cyclically "
                    + "(1 = no drift).");

    public static final ConfigOption<Duration> DRIFT_PHASE_LENGTH = ConfigOptions
            .key("simulator.drift.phase-length").durationType().defaultValue(Duration.ofMinutes(10))
            .withDescription("Event time each interest phase lasts.");

    public static final ConfigOption<Double> DRIFT_STRENGTH = ConfigOptions.key("simulator.drift.strength")
            .doubleType().defaultValue(1.0)
            .withDescription("Size of the population-wide interest shift of each phase, relative to a user's own.");

    public static final ConfigOption<Double> HARMFUL_CATEGORY_FRACTION = ConfigOptions
            .key("simulator.harmful-category-fraction").doubleType().defaultValue(0.0)
            .withDescription("Fraction of categories whose product clicks contradict the post clicks "
                    + "(the interest term changes sign): transferring them hurts the target.");

    // The cross-domain structure (world "cross-domain"). Every default reproduces the other worlds exactly.

    public static final ConfigOption<Double> INTEREST_CORRELATION = ConfigOptions
            .key("simulator.interest-correlation").doubleType().defaultValue(1.0)
            .withDescription("Correlation rho between a user's post (target) and product (source) interests: "
                    + "z_t = rho * z_s + sqrt(1 - rho^2) * z', with z' built like z_s from the profile plus noise "
                    + "(1 = one shared interest vector). In [-1, 1].");

    static double interestCorrelation(Configuration config) {
        return within(config, INTEREST_CORRELATION, -1.0, 1.0);
    }

    public static final ConfigOption<Double> INDIVIDUAL_INTEREST_VARIANCE = ConfigOptions
            .key("simulator.individual-interest-variance").doubleType().defaultValue(0.64)
            .withDescription("Variance of a user's individual interest noise relative to the age part's (age 1, "
                    + "gender 1, city 0.25): the default lets the profile explain 78% of interest variance; larger "
                    + "values make a user's own history matter more. In [0, 100].");

    static double individualInterestVariance(Configuration config) {
        return within(config, INDIVIDUAL_INTEREST_VARIANCE, 0.0, 100.0);
    }

    public static final ConfigOption<Integer> POST_ONLY_CATEGORIES = ConfigOptions
            .key("simulator.post-only-categories").intType().defaultValue(0)
            .withDescription("Categories beyond simulator.categories that only posts have: no product teaches "
                    + "them. Each post moves to one with probability n / (categories + n). In [0, 1000].");

    static int postOnlyCategories(Configuration config) {
        int value = config.get(POST_ONLY_CATEGORIES);
        if (value < 0 || value > 1000) {
            throw new IllegalArgumentException(POST_ONLY_CATEGORIES.key() + " must be in [0, 1000], got " + value);
        }
        return value;
    }

    public static final ConfigOption<Double> SPECIFIC_MODULATION = ConfigOptions
            .key("simulator.specific-modulation").doubleType().defaultValue(0.0)
            .withDescription("How strongly entity-specific features scale the interest term instead of only adding "
                    + "to the logit: factor 1 + s * (m - 1) with m by media type for posts (image 1, video 1.3, "
                    + "text 0.6) and by condition for products (new 1.15, like-new 1, used 0.7). In [0, 1].");

    static double specificModulation(Configuration config) {
        return within(config, SPECIFIC_MODULATION, 0.0, 1.0);
    }

    public static final ConfigOption<Boolean> NOISE_SPECIFIC_FIELDS = ConfigOptions
            .key("simulator.noise-specific-fields").booleanType().defaultValue(false)
            .withDescription("Make brand (products) and content style (posts) pure noise: their values are drawn as "
                    + "before, independently of everything, but no longer change the click probability.");

    public static final ConfigOption<Double> SOURCE_POSITION_EFFECT = ConfigOptions
            .key("simulator.source-position-effect").doubleType().defaultValue(-0.08)
            .withDescription("Logit change per feed position (0 = top) of product impressions. In [-2, 2].");

    static double sourcePositionEffect(Configuration config) {
        return within(config, SOURCE_POSITION_EFFECT, -2.0, 2.0);
    }

    public static final ConfigOption<Double> TARGET_POSITION_EFFECT = ConfigOptions
            .key("simulator.target-position-effect").doubleType().defaultValue(-0.08)
            .withDescription("Logit change per feed position (0 = top) of post impressions. In [-2, 2].");

    static double targetPositionEffect(Configuration config) {
        return within(config, TARGET_POSITION_EFFECT, -2.0, 2.0);
    }

    public static final ConfigOption<Double> DOMAIN_SHARE_SPREAD = ConfigOptions
            .key("simulator.domain-share-spread").doubleType().defaultValue(0.0)
            .withDescription("How much users differ in the fraction of their impressions that are products: each "
                    + "user's share is Beta-distributed with mean simulator.source-share and variance spread * m * "
                    + "(1 - m); 0 = every user has the same share, near 1 = users see almost only one entity type "
                    + "(product-rich users that are cold in posts). In [0, 1).");

    static double domainShareSpread(Configuration config) {
        double value = config.get(DOMAIN_SHARE_SPREAD);
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(DOMAIN_SHARE_SPREAD.key() + " must be in [0, 1), got " + value);
        }
        return value;
    }

    private static double within(Configuration config, ConfigOption<Double> option, double min, double max) {
        double value = config.get(option);
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(option.key() + " must be in [" + min + ", " + max + "], got "
                    + value);
        }
        return value;
    }

    /** Every option of this class, for help output. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : SimulatorOptions.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
                try {
                    options.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return options;
    }

    /** Applies a {@code key=value} override, rejecting keys this class does not define. */
    public static void set(Configuration config, String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("'" + assignment + "' is not of the form key=value");
        }
        String key = assignment.substring(0, eq).trim();
        String value = assignment.substring(eq + 1).trim();
        for (ConfigOption<?> option : all()) {
            if (option.key().equals(key)) {
                Configuration probe = new Configuration();
                probe.setString(key, value);
                try {
                    probe.get(option);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("Cannot read '" + value + "' as " + key + ": "
                            + e.getMessage(), e);
                }
                config.setString(key, value);
                return;
            }
        }
        throw new IllegalArgumentException("Unknown simulator option '" + key + "'; run 'transflow simulate "
                + "--list-options' for the " + all().size() + " known ones");
    }

    /** One line per option: key, default, description. */
    public static String describe() {
        StringBuilder out = new StringBuilder();
        for (ConfigOption<?> option : all()) {
            out.append(String.format(Locale.ROOT, "  %-40s default %-12s %s%n", option.key(),
                    option.defaultValue(), new HtmlFormatter().format(option.description())));
        }
        return out.toString();
    }
}

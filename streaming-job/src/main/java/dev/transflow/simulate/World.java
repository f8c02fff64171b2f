package dev.transflow.simulate;

import dev.transflow.model.feature.CsvLayout;
import dev.transflow.model.feature.CsvLayout.FeatureColumn;
import dev.transflow.model.feature.FeatureGroup;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.replay.ImpressionMapping;
import dev.transflow.schemas.EntityType;

import org.apache.flink.configuration.Configuration;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded multi-entity world whose click behaviour is known exactly.
 *
 * <p>Users have latent interests shared by both entity types (built from their age bucket, gender and city plus
 * individual noise, so profile features are informative) and one bias per entity type. Items of both types draw
 * factors from shared categories and belong to shared creators. The click probability is
 * <pre>
 *   p = sigmoid(base_d + scale * sign * (z_u + drift(t)) . v_i + b_u,d + q_creator + b_i + specific(i, u) - 0.08 * position)
 * </pre>
 * where {@code specific} is the effect of the entity-specific features (products: price against the user's age
 * group's price sensitivity, condition, brand; posts: media type by age group, content style by gender, text
 * length), {@code sign} is -1 for products of "harmful" categories, and {@code base_d} is calibrated so each domain
 * has its configured mean CTR.
 */
public final class World {

    static final String[] GENDERS = {"f", "m"};
    static final int AGE_BUCKETS = 7;
    static final String[] CONDITIONS = {"new", "like-new", "used"};
    private static final double[] CONDITION_P = {0.5, 0.2, 0.3};
    private static final double[] CONDITION_EFFECT = {0.2, 0.0, -0.3};
    static final String[] MEDIA_TYPES = {"image", "video", "text"};
    private static final double[] MEDIA_P = {0.5, 0.3, 0.2};
    private static final double[] MEDIA_LOG_LENGTH = {4.0, 3.0, 6.0};
    static final String[] CONTENT_STYLES = {"review", "tutorial", "meme", "story", "news"};
    static final int POSITIONS = 10;
    private static final double POSITION_EFFECT = -0.08;

    /** Columns of simulated product rows, in the generic CSV format. */
    public static final CsvLayout SOURCE_LAYOUT = layoutWith(ImpressionMapping.CONDITION, ImpressionMapping.BRAND,
            ImpressionMapping.PRICE);

    /** Columns of simulated post rows, in the generic CSV format. */
    public static final CsvLayout TARGET_LAYOUT = layoutWith(ImpressionMapping.CONTENT_STYLE,
            ImpressionMapping.MEDIA_TYPE, ImpressionMapping.TEXT_LENGTH);

    /** User and shared columns common to both entity types, then two categorical and one numeric specific one. */
    private static CsvLayout layoutWith(String specificA, String specificB, String specificNumeric) {
        return CsvLayout.of(List.of(
                categorical(FeatureGroup.USER, ImpressionMapping.AGE_BUCKET),
                categorical(FeatureGroup.USER, ImpressionMapping.GENDER),
                categorical(FeatureGroup.USER, ImpressionMapping.CITY),
                categorical(FeatureGroup.SHARED, ImpressionMapping.CATEGORY),
                categorical(FeatureGroup.SHARED, ImpressionMapping.CREATOR_ID),
                categorical(FeatureGroup.SHARED, ImpressionMapping.POSITION),
                categorical(FeatureGroup.SPECIFIC, specificA),
                categorical(FeatureGroup.SPECIFIC, specificB),
                new FeatureColumn(FeatureGroup.SPECIFIC, specificNumeric, true, -1)));
    }

    private static FeatureColumn categorical(FeatureGroup group, String name) {
        return new FeatureColumn(group, name, false, -1);
    }

    final int dim;
    final int categories;
    final int creators;
    final int brands;
    final int cities;
    final double interestScale;
    final long startTime;
    final int driftPhases;
    final long driftPhaseMillis;
    final double driftStrength;

    // Profile-to-interest and phase vectors.
    private final double[][] ageVec;
    private final double[][] genderVec;
    private final double[][] cityVec;
    private final double[][] categoryVec;
    private final double[][] phaseVec;
    final boolean[] harmfulCategory;

    // Creators.
    final double[] creatorQuality;
    private final int[] creatorCategory;

    // Users (grow as cold users arrive).
    final Users users;

    // Catalogue.
    final Products products;
    final Posts posts;

    // Feature effects.
    private final double[] priceSensitivity;
    private final double[] brandEffect;
    private final double[][] mediaByAge;
    private final double[][] styleByGender;

    /** Calibrated base logits, index by {@link #domainIndex(EntityType)}. */
    private final double[] base = new double[2];

    public World(Configuration config, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        dim = positive(config.get(SimulatorOptions.LATENT_DIM), SimulatorOptions.LATENT_DIM.key());
        categories = positive(config.get(SimulatorOptions.CATEGORIES), SimulatorOptions.CATEGORIES.key());
        creators = positive(config.get(SimulatorOptions.CREATORS), SimulatorOptions.CREATORS.key());
        brands = positive(config.get(SimulatorOptions.BRANDS), SimulatorOptions.BRANDS.key());
        cities = positive(config.get(SimulatorOptions.CITIES), SimulatorOptions.CITIES.key());
        interestScale = config.get(SimulatorOptions.INTEREST_SCALE);
        startTime = config.get(SimulatorOptions.START_TIME);
        driftPhases = positive(config.get(SimulatorOptions.DRIFT_PHASES), SimulatorOptions.DRIFT_PHASES.key());
        driftPhaseMillis = Math.max(1, config.get(SimulatorOptions.DRIFT_PHASE_LENGTH).toMillis());
        driftStrength = config.get(SimulatorOptions.DRIFT_STRENGTH);

        // Per-component variances chosen so that z.v has unit standard deviation (see class comment).
        double unit = 1.0 / Math.sqrt(dim);
        double profileSigma = Math.sqrt(unit / (1.0 + 1.0 + 0.25 + 0.64));
        ageVec = gaussians(rng, AGE_BUCKETS, dim, profileSigma);
        genderVec = gaussians(rng, GENDERS.length, dim, profileSigma);
        cityVec = gaussians(rng, cities, dim, profileSigma * 0.5);
        categoryVec = gaussians(rng, categories, dim, Math.sqrt(0.7 * unit));
        phaseVec = gaussians(rng, driftPhases, dim, Math.sqrt(unit));
        if (driftPhases == 1) {
            Arrays.fill(phaseVec[0], 0.0);
        }
        cityNames = names("city", cities);
        categoryNames = names("c", categories);
        creatorNames = names("cr", creators);
        brandNames = names("b", brands);
        harmfulCategory = new boolean[categories];
        double harmfulFraction = config.get(SimulatorOptions.HARMFUL_CATEGORY_FRACTION);
        if (harmfulFraction < 0 || harmfulFraction > 1) {
            throw new IllegalArgumentException(SimulatorOptions.HARMFUL_CATEGORY_FRACTION.key()
                    + " must be in [0, 1], got " + harmfulFraction);
        }
        int[] order = permutation(rng, categories);
        for (int i = 0; i < Math.round(harmfulFraction * categories); i++) {
            harmfulCategory[order[i]] = true;
        }

        creatorQuality = new double[creators];
        creatorCategory = new int[creators];
        for (int c = 0; c < creators; c++) {
            creatorQuality[c] = 0.3 * rng.nextGaussian();
            creatorCategory[c] = rng.nextInt(categories);
        }

        priceSensitivity = new double[AGE_BUCKETS];
        for (int a = 0; a < AGE_BUCKETS; a++) {
            priceSensitivity[a] = 0.2 + 0.6 * rng.nextDouble();
        }
        brandEffect = new double[brands];
        for (int b = 0; b < brands; b++) {
            brandEffect[b] = 0.3 * rng.nextGaussian();
        }
        mediaByAge = gaussians(rng, MEDIA_TYPES.length, AGE_BUCKETS, 0.5);
        styleByGender = gaussians(rng, CONTENT_STYLES.length, GENDERS.length, 0.4);

        double noiseSigma = Math.sqrt(0.3 * unit);
        products = new Products(rng, positive(config.get(SimulatorOptions.PRODUCTS), SimulatorOptions.PRODUCTS.key()),
                noiseSigma);
        posts = new Posts(rng, positive(config.get(SimulatorOptions.POSTS), SimulatorOptions.POSTS.key()), noiseSigma);
        users = new Users(positive(config.get(SimulatorOptions.USERS), SimulatorOptions.USERS.key()), profileSigma);
        for (int u = 0; u < users.initial; u++) {
            users.add(rng);
        }
    }

    /** Row layout of an entity type's impressions. */
    public static CsvLayout layout(EntityType type) {
        return type == EntityType.PRODUCT ? SOURCE_LAYOUT : TARGET_LAYOUT;
    }

    public static String userId(int user) {
        return "u" + user;
    }

    public static String itemId(EntityType type, int item) {
        return (type == EntityType.PRODUCT ? "p" : "t") + item;
    }

    /** Fills the feature values of {@code imp} in the order of {@link #layout(EntityType)}. */
    void features(SimulatedImpression imp, String[] categorical, double[] numeric) {
        fill(imp, categorical, numeric);
    }

    /** The impression as a generic labeled row (label 1 when clicked, however late). */
    public InteractionRow row(SimulatedImpression imp) {
        String[] categorical = new String[8];
        double[] numeric = new double[1];
        fill(imp, categorical, numeric);
        return new InteractionRow(layout(imp.entityType), imp.time, userId(imp.user), itemId(imp.entityType, imp.item),
                imp.clicked ? 1 : 0, categorical, numeric, 0);
    }

    private void fill(SimulatedImpression imp, String[] categorical, double[] numeric) {
        int u = imp.user;
        int i = imp.item;
        categorical[0] = SMALL_INTS[users.ageBucket[u]];
        categorical[1] = GENDERS[users.gender[u]];
        categorical[2] = cityNames[users.city[u]];
        Catalogue catalogue = imp.entityType == EntityType.PRODUCT ? products : posts;
        categorical[3] = categoryNames[catalogue.category[i]];
        categorical[4] = creatorNames[catalogue.creator[i]];
        categorical[5] = SMALL_INTS[imp.position];
        if (imp.entityType == EntityType.PRODUCT) {
            categorical[6] = CONDITIONS[products.condition[i]];
            categorical[7] = brandNames[products.brand[i]];
            numeric[0] = products.price[i];
        } else {
            categorical[6] = CONTENT_STYLES[posts.contentStyle[i]];
            categorical[7] = MEDIA_TYPES[posts.mediaType[i]];
            numeric[0] = posts.textLength[i];
        }
    }

    private static final String[] SMALL_INTS = names("", Math.max(AGE_BUCKETS, POSITIONS));
    private final String[] cityNames;
    private final String[] categoryNames;
    private final String[] creatorNames;
    private final String[] brandNames;

    private static String[] names(String prefix, int n) {
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = prefix + i;
        }
        return names;
    }

    static int domainIndex(EntityType type) {
        return type == EntityType.PRODUCT ? 0 : 1;
    }

    void setBase(EntityType type, double logit) {
        base[domainIndex(type)] = logit;
    }

    double base(EntityType type) {
        return base[domainIndex(type)];
    }

    int phase(long time) {
        long elapsed = Math.max(0, time - startTime);
        return (int) ((elapsed / driftPhaseMillis) % driftPhases);
    }

    /** Affinity of user {@code u} for category {@code k} at {@code time}: (z_u + drift) . c_k. */
    double categoryAffinity(int u, int k, int phase) {
        double[] z = users.z;
        double[] c = categoryVec[k];
        double[] d = phaseVec[phase];
        int off = u * dim;
        double sum = 0;
        for (int j = 0; j < dim; j++) {
            sum += (z[off + j] + driftStrength * d[j]) * c[j];
        }
        return sum;
    }

    /** Logit of a click of user {@code u} on {@code item} of {@code type} at {@code position}. */
    double logit(EntityType type, int u, int item, int position, int phase) {
        double[] z = users.z;
        double[] d = phaseVec[phase];
        Catalogue catalogue = type == EntityType.PRODUCT ? products : posts;
        double[] v = catalogue.factors;
        int zo = u * dim;
        int vo = item * dim;
        double dot = 0;
        for (int j = 0; j < dim; j++) {
            dot += (z[zo + j] + driftStrength * d[j]) * v[vo + j];
        }
        int category = catalogue.category[item];
        double sign = type == EntityType.PRODUCT && harmfulCategory[category] ? -1.0 : 1.0;
        int age = users.ageBucket[u];
        double specific;
        if (type == EntityType.PRODUCT) {
            specific = -priceSensitivity[age] * (Math.log(products.price[item]) - products.categoryLogPrice[category])
                    + CONDITION_EFFECT[products.condition[item]] + brandEffect[products.brand[item]];
        } else {
            specific = mediaByAge[posts.mediaType[item]][age]
                    + styleByGender[posts.contentStyle[item]][users.gender[u]]
                    - 0.15 * Math.abs(Math.log(posts.textLength[item]) - 5.0);
        }
        return base[domainIndex(type)] + interestScale * sign * dot
                + (type == EntityType.PRODUCT ? users.sourceBias[u] : users.targetBias[u])
                + creatorQuality[catalogue.creator[item]] + catalogue.bias[item] + specific
                + POSITION_EFFECT * position;
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** Users: profile, interests and per-entity biases; appended as cold users arrive. */
    final class Users {
        final int initial;
        private final double profileSigma;
        int count;
        int[] ageBucket;
        int[] gender;
        int[] city;
        double[] z;
        double[] sourceBias;
        double[] targetBias;

        Users(int initial, double profileSigma) {
            this.initial = initial;
            this.profileSigma = profileSigma;
            int capacity = Math.max(16, initial * 2);
            ageBucket = new int[capacity];
            gender = new int[capacity];
            city = new int[capacity];
            z = new double[capacity * dim];
            sourceBias = new double[capacity];
            targetBias = new double[capacity];
        }

        int add(SplittableRandom rng) {
            if (count == ageBucket.length) {
                int capacity = count * 2;
                ageBucket = Arrays.copyOf(ageBucket, capacity);
                gender = Arrays.copyOf(gender, capacity);
                city = Arrays.copyOf(city, capacity);
                z = Arrays.copyOf(z, capacity * dim);
                sourceBias = Arrays.copyOf(sourceBias, capacity);
                targetBias = Arrays.copyOf(targetBias, capacity);
            }
            int u = count++;
            // Age skews young, as in feeds.
            ageBucket[u] = Math.min(AGE_BUCKETS - 1, (int) Math.floor(Math.abs(rng.nextGaussian()) * 2.2));
            gender[u] = rng.nextInt(GENDERS.length);
            city[u] = (int) Math.min(cities - 1, Math.floor(cities * Math.pow(rng.nextDouble(), 2)));
            double noise = profileSigma * 0.8;
            for (int j = 0; j < dim; j++) {
                z[u * dim + j] = ageVec[ageBucket[u]][j] + genderVec[gender[u]][j] + cityVec[city[u]][j]
                        + noise * rng.nextGaussian();
            }
            sourceBias[u] = 0.4 * rng.nextGaussian();
            targetBias[u] = 0.4 * rng.nextGaussian();
            return u;
        }
    }

    /** What products and posts have in common. */
    abstract class Catalogue {
        final int size;
        final int[] category;
        final int[] creator;
        final double[] factors;
        final double[] bias;
        final double[] popularity;
        final int[][] byCategory;

        Catalogue(SplittableRandom rng, int size, double noiseSigma) {
            this.size = size;
            category = new int[size];
            creator = new int[size];
            factors = new double[size * dim];
            bias = new double[size];
            popularity = new double[size];
            int[] perCategory = new int[categories];
            for (int i = 0; i < size; i++) {
                // Creators mostly publish in their own category.
                creator[i] = rng.nextInt(creators);
                category[i] = rng.nextDouble() < 0.8 ? creatorCategory[creator[i]] : rng.nextInt(categories);
                perCategory[category[i]]++;
                for (int j = 0; j < dim; j++) {
                    factors[i * dim + j] = categoryVec[category[i]][j] + noiseSigma * rng.nextGaussian();
                }
                bias[i] = 0.3 * rng.nextGaussian();
                popularity[i] = Math.exp(rng.nextGaussian());
            }
            byCategory = new int[categories][];
            for (int k = 0; k < categories; k++) {
                byCategory[k] = new int[perCategory[k]];
            }
            int[] fill = new int[categories];
            for (int i = 0; i < size; i++) {
                byCategory[category[i]][fill[category[i]]++] = i;
            }
        }
    }

    final class Products extends Catalogue {
        final double[] categoryLogPrice;
        final double[] price;
        final int[] condition;
        final int[] brand;

        Products(SplittableRandom rng, int size, double noiseSigma) {
            super(rng, size, noiseSigma);
            categoryLogPrice = new double[categories];
            for (int k = 0; k < categories; k++) {
                categoryLogPrice[k] = 2.0 + 4.0 * rng.nextDouble();
            }
            price = new double[size];
            condition = new int[size];
            brand = new int[size];
            for (int i = 0; i < size; i++) {
                double p = Math.exp(categoryLogPrice[category[i]] + 0.5 * rng.nextGaussian());
                price[i] = Math.max(0.01, Math.round(p * 100.0) / 100.0);
                condition[i] = pick(rng, CONDITION_P);
                brand[i] = rng.nextInt(brands);
            }
        }
    }

    final class Posts extends Catalogue {
        final int[] mediaType;
        final int[] contentStyle;
        final int[] textLength;

        Posts(SplittableRandom rng, int size, double noiseSigma) {
            super(rng, size, noiseSigma);
            mediaType = new int[size];
            contentStyle = new int[size];
            textLength = new int[size];
            for (int i = 0; i < size; i++) {
                mediaType[i] = pick(rng, MEDIA_P);
                contentStyle[i] = rng.nextInt(CONTENT_STYLES.length);
                textLength[i] = (int) Math.max(1, Math.round(Math.exp(MEDIA_LOG_LENGTH[mediaType[i]]
                        + 0.8 * rng.nextGaussian())));
            }
        }
    }

    private static int pick(SplittableRandom rng, double[] probabilities) {
        double r = rng.nextDouble();
        for (int i = 0; i < probabilities.length - 1; i++) {
            r -= probabilities[i];
            if (r < 0) {
                return i;
            }
        }
        return probabilities.length - 1;
    }

    private static double[][] gaussians(SplittableRandom rng, int rows, int cols, double sigma) {
        double[][] out = new double[rows][cols];
        for (double[] row : out) {
            for (int j = 0; j < cols; j++) {
                row[j] = sigma * rng.nextGaussian();
            }
        }
        return out;
    }

    private static int[] permutation(SplittableRandom rng, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static int positive(int value, String key) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
        return value;
    }
}

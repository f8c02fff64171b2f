package dev.transflow.simulate;

import dev.transflow.feature.FeatureNames;
import dev.transflow.model.feature.CsvLayout;
import dev.transflow.model.feature.CsvLayout.FeatureColumn;
import dev.transflow.model.feature.FeatureGroup;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.schemas.EntityType;

import org.apache.flink.configuration.Configuration;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded multi-entity world whose click behaviour is known exactly.
 *
 * <p>Users have latent interests (built from their age bucket, gender and city plus individual noise, so profile
 * features are informative) and one bias per entity type. Items of both types draw factors from shared categories
 * and belong to shared creators. The click probability of user u on item i of domain d is
 * <pre>
 *   p = sigmoid(base_d + scale * m_d(i) * sign * (z_u,d + drift(t)) . v_i + b_u,d + q_creator + b_i
 *               + specific_d(i, u) + pos_d * position)
 *   z_u,product = z_u      z_u,post = rho * z_u + sqrt(1 - rho^2) * z'_u
 * </pre>
 * where {@code z'_u} is a second interest vector built like {@code z_u} (own profile vectors, own noise),
 * {@code specific} is the additive effect of the entity-specific features (products: price against the user's age
 * group's price sensitivity, condition, brand; posts: media type by age group, content style by gender, text
 * length), {@code m_d(i) = 1 + s * (M[level] - 1)} scales the interest term by media type (posts) or condition
 * (products), {@code sign} is -1 for products of "harmful" categories, and {@code base_d} is calibrated so each
 * domain has its configured mean CTR. Post-only categories (numbered after the shared ones) hold only posts;
 * brand and content style can be made pure noise (no effect at all); each user can have an own product share of
 * impressions (Beta-distributed around the global one), so some users are rich in products and cold in posts.
 *
 * <p>The defaults (rho = 1, s = 0, pos_d = -0.08, no post-only categories, no noise fields, one product share for
 * every user) give the default, recurring-drift and harmful-source worlds; the cross-domain world changes them
 * all (see {@link WorldPreset#CROSS_DOMAIN}). Every random number of that structure comes from streams of its own,
 * so the other worlds stay byte-identical.
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
    // Interest multipliers M of the specific-feature modulation: a video is watched for its topic, a text post
    // much less; a new item is bought for what it is, a used one for its price.
    private static final double[] MEDIA_INTEREST = {1.0, 1.3, 0.6};
    private static final double[] CONDITION_INTEREST = {1.15, 1.0, 0.7};
    // Seeds of the cross-domain structure's own streams (world-level vectors and items; per-user draws).
    private static final long CROSS_DOMAIN_SALT = 0x3C6EF372FE94F82BL;
    private static final long USER_SALT = 0xA54FF53A5F1D36F1L;

    /** Columns of simulated product rows, in the generic CSV format. */
    public static final CsvLayout SOURCE_LAYOUT = layoutWith(FeatureNames.CONDITION, FeatureNames.BRAND,
            FeatureNames.PRICE);

    /** Columns of simulated post rows, in the generic CSV format. */
    public static final CsvLayout TARGET_LAYOUT = layoutWith(FeatureNames.CONTENT_STYLE,
            FeatureNames.MEDIA_TYPE, FeatureNames.TEXT_LENGTH);

    /** User and shared columns common to both entity types, then two categorical and one numeric specific one. */
    private static CsvLayout layoutWith(String specificA, String specificB, String specificNumeric) {
        return CsvLayout.of(List.of(
                categorical(FeatureGroup.USER, FeatureNames.AGE_BUCKET),
                categorical(FeatureGroup.USER, FeatureNames.GENDER),
                categorical(FeatureGroup.USER, FeatureNames.CITY),
                categorical(FeatureGroup.SHARED, FeatureNames.CATEGORY),
                categorical(FeatureGroup.SHARED, FeatureNames.CREATOR_ID),
                categorical(FeatureGroup.SHARED, FeatureNames.POSITION),
                categorical(FeatureGroup.SPECIFIC, specificA),
                categorical(FeatureGroup.SPECIFIC, specificB),
                new FeatureColumn(FeatureGroup.SPECIFIC, specificNumeric, true, -1)));
    }

    private static FeatureColumn categorical(FeatureGroup group, String name) {
        return new FeatureColumn(group, name, false, -1);
    }

    final int dim;
    /** Categories both entity types have. */
    final int categories;
    /** Categories only posts have, numbered after the shared ones. */
    final int postOnlyCategories;
    /** Shared plus post-only categories. */
    final int allCategories;
    final int creators;
    final int brands;
    final int cities;
    final double interestScale;
    final long startTime;
    final int driftPhases;
    final long driftPhaseMillis;
    final double driftStrength;
    final double interestCorrelation;
    private final double independentWeight;
    private final double modulation;
    private final boolean noiseFields;
    private final double[] positionEffect = new double[2];
    /** Mean fraction of a user's impressions that are products. */
    final double sourceShare;
    /** Whether users differ in their product share ({@link Users#sourceShare}). */
    final boolean userShares;
    private final double shareConcentration;
    private final SplittableRandom userRng;

    // Profile-to-interest and phase vectors; the T ones build the second interest vector z'.
    private final double[][] ageVec;
    private final double[][] genderVec;
    private final double[][] cityVec;
    private final double[][] ageVecT;
    private final double[][] genderVecT;
    private final double[][] cityVecT;
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
        interestCorrelation = SimulatorOptions.interestCorrelation(config);
        independentWeight = Math.sqrt(1.0 - interestCorrelation * interestCorrelation);
        postOnlyCategories = SimulatorOptions.postOnlyCategories(config);
        allCategories = categories + postOnlyCategories;
        modulation = SimulatorOptions.specificModulation(config);
        noiseFields = config.get(SimulatorOptions.NOISE_SPECIFIC_FIELDS);
        positionEffect[domainIndex(EntityType.PRODUCT)] = SimulatorOptions.sourcePositionEffect(config);
        positionEffect[domainIndex(EntityType.POST)] = SimulatorOptions.targetPositionEffect(config);
        sourceShare = config.get(SimulatorOptions.SOURCE_SHARE);
        if (!(sourceShare >= 0 && sourceShare <= 1)) {
            throw new IllegalArgumentException(SimulatorOptions.SOURCE_SHARE.key() + " must be in [0, 1], got "
                    + sourceShare);
        }
        double spread = SimulatorOptions.domainShareSpread(config);
        // Beta(m k, (1 - m) k) has variance m (1 - m) / (k + 1): spread = 1 / (k + 1).
        userShares = spread > 0 && sourceShare > 0 && sourceShare < 1;
        shareConcentration = userShares ? 1.0 / spread - 1.0 : Double.POSITIVE_INFINITY;
        SplittableRandom crossRng = new SplittableRandom(seed ^ CROSS_DOMAIN_SALT);
        userRng = new SplittableRandom(seed ^ USER_SALT);

        // Per-component variances chosen so that z.v has unit standard deviation (see class comment).
        double unit = 1.0 / Math.sqrt(dim);
        double individual = SimulatorOptions.individualInterestVariance(config);
        double profileSigma = Math.sqrt(unit / (1.0 + 1.0 + 0.25 + individual));
        ageVec = gaussians(rng, AGE_BUCKETS, dim, profileSigma);
        genderVec = gaussians(rng, GENDERS.length, dim, profileSigma);
        cityVec = gaussians(rng, cities, dim, profileSigma * 0.5);
        ageVecT = gaussians(crossRng, AGE_BUCKETS, dim, profileSigma);
        genderVecT = gaussians(crossRng, GENDERS.length, dim, profileSigma);
        cityVecT = gaussians(crossRng, cities, dim, profileSigma * 0.5);
        double categorySigma = Math.sqrt(0.7 * unit);
        categoryVec = Arrays.copyOf(gaussians(rng, categories, dim, categorySigma), allCategories);
        double[][] postOnlyVec = gaussians(crossRng, postOnlyCategories, dim, categorySigma);
        System.arraycopy(postOnlyVec, 0, categoryVec, categories, postOnlyCategories);
        phaseVec = gaussians(rng, driftPhases, dim, Math.sqrt(unit));
        if (driftPhases == 1) {
            Arrays.fill(phaseVec[0], 0.0);
        }
        cityNames = names("city", cities);
        categoryNames = names("c", allCategories);
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
        if (postOnlyCategories > 0) {
            // Move posts into the post-only categories as if those had been there from the start.
            double moveProbability = (double) postOnlyCategories / allCategories;
            for (int i = 0; i < posts.size; i++) {
                if (crossRng.nextDouble() < moveProbability) {
                    posts.category[i] = categories + crossRng.nextInt(postOnlyCategories);
                    for (int j = 0; j < dim; j++) {
                        posts.factors[i * dim + j] = categoryVec[posts.category[i]][j]
                                + noiseSigma * crossRng.nextGaussian();
                    }
                }
            }
        }
        products.index();
        posts.index();
        users = new Users(positive(config.get(SimulatorOptions.USERS), SimulatorOptions.USERS.key()),
                profileSigma * Math.sqrt(individual));
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

    /** Affinity of user {@code u}'s product interests for category {@code k} in {@code phase}. */
    double categoryAffinity(int u, int k, int phase) {
        return categoryAffinity(EntityType.PRODUCT, u, k, phase);
    }

    /** Affinity of user {@code u}'s interests in {@code type} for category {@code k}: (z_u,d + drift) . c_k. */
    double categoryAffinity(EntityType type, int u, int k, int phase) {
        double[] z = users.interests(type);
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
        Catalogue catalogue = type == EntityType.PRODUCT ? products : posts;
        int category = catalogue.category[item];
        int age = users.ageBucket[u];
        double specific;
        if (type == EntityType.PRODUCT) {
            specific = -priceSensitivity[age] * (Math.log(products.price[item]) - products.categoryLogPrice[category])
                    + CONDITION_EFFECT[products.condition[item]]
                    + (noiseFields ? 0.0 : brandEffect[products.brand[item]]);
        } else {
            specific = mediaByAge[posts.mediaType[item]][age]
                    + (noiseFields ? 0.0 : styleByGender[posts.contentStyle[item]][users.gender[u]])
                    - 0.15 * Math.abs(Math.log(posts.textLength[item]) - 5.0);
        }
        int domain = domainIndex(type);
        return base[domain] + interestTerm(type, u, item, phase)
                + (type == EntityType.PRODUCT ? users.sourceBias[u] : users.targetBias[u])
                + creatorQuality[catalogue.creator[item]] + catalogue.bias[item] + specific
                + positionEffect[domain] * position;
    }

    /** The shared-interest part of the logit: scale * m_d(i) * sign * (z_u,d + drift) . v_i. */
    double interestTerm(EntityType type, int u, int item, int phase) {
        double[] z = users.interests(type);
        double[] d = phaseVec[phase];
        Catalogue catalogue = type == EntityType.PRODUCT ? products : posts;
        double[] v = catalogue.factors;
        int zo = u * dim;
        int vo = item * dim;
        double dot = 0;
        for (int j = 0; j < dim; j++) {
            dot += (z[zo + j] + driftStrength * d[j]) * v[vo + j];
        }
        double sign = type == EntityType.PRODUCT && harmfulCategory[catalogue.category[item]] ? -1.0 : 1.0;
        return interestScale * interestModulation(type, item) * sign * dot;
    }

    /** m_d(i): how the item's media type (posts) or condition (products) scales the interest term. */
    double interestModulation(EntityType type, int item) {
        if (modulation == 0) {
            return 1.0;
        }
        double m = type == EntityType.PRODUCT ? CONDITION_INTEREST[products.condition[item]]
                : MEDIA_INTEREST[posts.mediaType[item]];
        return 1.0 + modulation * (m - 1.0);
    }

    /** A copy of user {@code u}'s interest vector in {@code type} (without drift). */
    double[] interest(EntityType type, int u) {
        return Arrays.copyOfRange(users.interests(type), u * dim, (u + 1) * dim);
    }

    /** Fraction of user {@code u}'s impressions that are products. */
    double sourceShare(int u) {
        return userShares ? users.sourceShare[u] : sourceShare;
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** Users: profile, interests and per-entity biases; appended as cold users arrive. */
    final class Users {
        final int initial;
        /** Standard deviation of the individual part of each interest component. */
        private final double noise;
        /** Whether post interests differ from product interests (rho < 1); else both read {@link #z}. */
        private final boolean separate;
        int count;
        int[] ageBucket;
        int[] gender;
        int[] city;
        /** Product interests z_u, {@code dim} per user. */
        double[] z;
        /** Post interests rho z_u + sqrt(1 - rho^2) z'_u, when {@link #separate}. */
        double[] zt;
        double[] sourceBias;
        double[] targetBias;
        /** Fraction of the user's impressions that are products, when {@link World#userShares}. */
        double[] sourceShare;

        Users(int initial, double noise) {
            this.initial = initial;
            this.noise = noise;
            separate = interestCorrelation != 1.0;
            int capacity = Math.max(16, initial * 2);
            ageBucket = new int[capacity];
            gender = new int[capacity];
            city = new int[capacity];
            z = new double[capacity * dim];
            zt = separate ? new double[capacity * dim] : null;
            sourceBias = new double[capacity];
            targetBias = new double[capacity];
            sourceShare = new double[capacity];
        }

        double[] interests(EntityType type) {
            return separate && type == EntityType.POST ? zt : z;
        }

        int add(SplittableRandom rng) {
            if (count == ageBucket.length) {
                int capacity = count * 2;
                ageBucket = Arrays.copyOf(ageBucket, capacity);
                gender = Arrays.copyOf(gender, capacity);
                city = Arrays.copyOf(city, capacity);
                z = Arrays.copyOf(z, capacity * dim);
                zt = separate ? Arrays.copyOf(zt, capacity * dim) : null;
                sourceBias = Arrays.copyOf(sourceBias, capacity);
                targetBias = Arrays.copyOf(targetBias, capacity);
                sourceShare = Arrays.copyOf(sourceShare, capacity);
            }
            int u = count++;
            // Age skews young, as in feeds.
            ageBucket[u] = Math.min(AGE_BUCKETS - 1, (int) Math.floor(Math.abs(rng.nextGaussian()) * 2.2));
            gender[u] = rng.nextInt(GENDERS.length);
            city[u] = (int) Math.min(cities - 1, Math.floor(cities * Math.pow(rng.nextDouble(), 2)));
            for (int j = 0; j < dim; j++) {
                z[u * dim + j] = ageVec[ageBucket[u]][j] + genderVec[gender[u]][j] + cityVec[city[u]][j]
                        + noise * rng.nextGaussian();
            }
            sourceBias[u] = 0.4 * rng.nextGaussian();
            targetBias[u] = 0.4 * rng.nextGaussian();
            // The cross-domain draws come from the users' own stream, always in the same order, so each option
            // changes only what it is about (rho does not move the shares, the shares do not move z').
            for (int j = 0; j < dim; j++) {
                double independent = ageVecT[ageBucket[u]][j] + genderVecT[gender[u]][j] + cityVecT[city[u]][j]
                        + noise * userRng.nextGaussian();
                if (separate) {
                    zt[u * dim + j] = interestCorrelation * z[u * dim + j] + independentWeight * independent;
                }
            }
            if (userShares) {
                double mean = World.this.sourceShare;
                double a = gamma(userRng, mean * shareConcentration);
                double b = gamma(userRng, (1.0 - mean) * shareConcentration);
                sourceShare[u] = a + b > 0 ? a / (a + b) : mean;
            } else {
                sourceShare[u] = World.this.sourceShare;
            }
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
        int[][] byCategory;

        Catalogue(SplittableRandom rng, int size, double noiseSigma) {
            this.size = size;
            category = new int[size];
            creator = new int[size];
            factors = new double[size * dim];
            bias = new double[size];
            popularity = new double[size];
            for (int i = 0; i < size; i++) {
                // Creators mostly publish in their own category.
                creator[i] = rng.nextInt(creators);
                category[i] = rng.nextDouble() < 0.8 ? creatorCategory[creator[i]] : rng.nextInt(categories);
                for (int j = 0; j < dim; j++) {
                    factors[i * dim + j] = categoryVec[category[i]][j] + noiseSigma * rng.nextGaussian();
                }
                bias[i] = 0.3 * rng.nextGaussian();
                popularity[i] = Math.exp(rng.nextGaussian());
            }
        }

        /** Lists the items of every category (shared and post-only), once categories are final. */
        void index() {
            int[] perCategory = new int[allCategories];
            for (int i = 0; i < size; i++) {
                perCategory[category[i]]++;
            }
            byCategory = new int[allCategories][];
            for (int k = 0; k < allCategories; k++) {
                byCategory[k] = new int[perCategory[k]];
            }
            int[] fill = new int[allCategories];
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

    /** A Gamma(shape, 1) draw (Marsaglia and Tsang; shapes below 1 boosted by U^(1/shape)). */
    static double gamma(SplittableRandom rng, double shape) {
        if (shape < 1) {
            return gamma(rng, shape + 1) * Math.pow(rng.nextDouble(), 1.0 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1.0 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = rng.nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
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

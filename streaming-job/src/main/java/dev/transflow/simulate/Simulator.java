package dev.transflow.simulate;

import dev.transflow.schemas.EntityType;

import org.apache.flink.configuration.Configuration;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Generates impressions and clicks of a {@link World}, deterministically from a seed: the same configuration and
 * seed give the same events, byte for byte, on every run. An impression picks its entity type (by the global
 * source share), then its user; in a world whose users have their own product share, it picks the user first,
 * then the entity type by that user's share.
 */
public final class Simulator {

    /**
     * How many impressions per domain the oracle AUC and GAUC are computed over, at most: a power of two, so the
     * metric's doubling buffers stop at this size (13 bytes per impression).
     */
    static final int ORACLE_SAMPLE_LIMIT = 1 << 22;
    private static final int CALIBRATION_SAMPLES = 40_000;
    private static final double CATEGORY_CHOICE = 0.6;
    private static final int RECENT_USERS = 2_000;

    private final World world;
    private final SplittableRandom rng;
    private final double sourceShare;
    private final double newUserRate;
    private final double meanGapMillis;
    private final double delayMu;
    private final double delaySigma;
    private final double lateFraction;
    private final long windowMillis;
    private final AliasTable userActivity;
    private final AliasTable productPopularity;
    private final AliasTable postPopularity;
    private final double[] softmax;

    private final SimulatedImpression current = new SimulatedImpression();
    private double clock;
    private long sequence;

    public Simulator(Configuration config, long seed) {
        world = new World(config, seed);
        // Event generation draws from its own stream, so the world does not depend on how many events are made.
        rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        sourceShare = probability(config.get(SimulatorOptions.SOURCE_SHARE), SimulatorOptions.SOURCE_SHARE.key());
        newUserRate = probability(config.get(SimulatorOptions.NEW_USER_RATE), SimulatorOptions.NEW_USER_RATE.key());
        double rate = config.get(SimulatorOptions.IMPRESSIONS_PER_SECOND);
        if (!(rate > 0)) {
            throw new IllegalArgumentException(SimulatorOptions.IMPRESSIONS_PER_SECOND.key() + " must be positive");
        }
        meanGapMillis = 1000.0 / rate;
        delayMu = Math.log(Math.max(1, config.get(SimulatorOptions.CLICK_DELAY_MEDIAN).toMillis()));
        delaySigma = config.get(SimulatorOptions.CLICK_DELAY_SPREAD);
        lateFraction = probability(config.get(SimulatorOptions.LATE_CLICK_FRACTION),
                SimulatorOptions.LATE_CLICK_FRACTION.key());
        windowMillis = config.get(SimulatorOptions.ATTRIBUTION_WINDOW).toMillis();
        SplittableRandom setup = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        double[] activity = new double[world.users.initial];
        for (int u = 0; u < activity.length; u++) {
            activity[u] = Math.exp(1.2 * setup.nextGaussian());
        }
        userActivity = new AliasTable(activity);
        productPopularity = new AliasTable(world.products.popularity);
        postPopularity = new AliasTable(world.posts.popularity);
        softmax = new double[world.allCategories];
        clock = world.startTime;
        calibrate(EntityType.PRODUCT, config.get(SimulatorOptions.SOURCE_CTR), new SplittableRandom(seed + 1));
        calibrate(EntityType.POST, config.get(SimulatorOptions.TARGET_CTR), new SplittableRandom(seed + 2));
    }

    public World world() {
        return world;
    }

    /**
     * Generates {@code impressions} impressions (0: until {@code stop} says so) into {@code sink}.
     *
     * @param stop checked between impressions; true ends the run early
     */
    public SimulationReport run(long impressions, EventSink sink, BooleanSupplier stop) {
        SimulationReport.Builder report = new SimulationReport.Builder(world.users.count);
        long started = System.nanoTime();
        for (long n = 0; impressions == 0 || n < impressions; n++) {
            if ((n & 1023) == 0 && stop.getAsBoolean()) {
                break;
            }
            next();
            report.add(current, windowMillis);
            sink.accept(current);
        }
        sink.finish();
        return report.build(world.users.count, System.nanoTime() - started);
    }

    /** Advances to the next impression. */
    SimulatedImpression next() {
        SimulatedImpression imp = current;
        clock += -meanGapMillis * Math.log(1.0 - rng.nextDouble());
        imp.sequence = sequence++;
        imp.time = (long) clock;
        if (world.userShares) {
            imp.user = pickUser(rng);
            imp.entityType = rng.nextDouble() < world.sourceShare(imp.user) ? EntityType.PRODUCT : EntityType.POST;
        } else {
            imp.entityType = rng.nextDouble() < sourceShare ? EntityType.PRODUCT : EntityType.POST;
            imp.user = pickUser(rng);
        }
        int phase = world.phase(imp.time);
        imp.item = pickItem(rng, imp.entityType, imp.user, phase);
        imp.position = rng.nextInt(World.POSITIONS);
        imp.probability = World.sigmoid(world.logit(imp.entityType, imp.user, imp.item, imp.position, phase));
        imp.clicked = rng.nextDouble() < imp.probability;
        imp.clickTime = imp.clicked ? imp.time + clickDelay(rng) : -1;
        return imp;
    }

    private int pickUser(SplittableRandom r) {
        double u = r.nextDouble();
        if (u < newUserRate) {
            return world.users.add(r);
        }
        int arrived = world.users.count - world.users.initial;
        // Cold users come back: a share of traffic goes to those who arrived recently.
        if (arrived > 0 && u < newUserRate + 0.1) {
            int window = Math.min(arrived, RECENT_USERS);
            return world.users.count - 1 - r.nextInt(window);
        }
        return userActivity.sample(r);
    }

    private int pickItem(SplittableRandom r, EntityType type, int user, int phase) {
        World.Catalogue catalogue = type == EntityType.PRODUCT ? world.products : world.posts;
        if (r.nextDouble() < CATEGORY_CHOICE) {
            // The feed shows categories the user likes: sample one by softmax of affinity.
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < world.allCategories; k++) {
                softmax[k] = 2.0 * world.categoryAffinity(type, user, k, phase);
                max = Math.max(max, softmax[k]);
            }
            double total = 0;
            for (int k = 0; k < world.allCategories; k++) {
                softmax[k] = catalogue.byCategory[k].length == 0 ? 0 : Math.exp(softmax[k] - max);
                total += softmax[k];
            }
            double x = r.nextDouble() * total;
            for (int k = 0; k < world.allCategories; k++) {
                x -= softmax[k];
                if (x < 0 && softmax[k] > 0) {
                    int[] items = catalogue.byCategory[k];
                    return items[r.nextInt(items.length)];
                }
            }
        }
        return (type == EntityType.PRODUCT ? productPopularity : postPopularity).sample(r);
    }

    private long clickDelay(SplittableRandom r) {
        if (r.nextDouble() < lateFraction) {
            return windowMillis + 1 + (long) (r.nextDouble() * windowMillis);
        }
        long delay = (long) Math.exp(delayMu + delaySigma * r.nextGaussian());
        return Math.max(1, Math.min(delay, windowMillis - 1));
    }

    /** Sets the domain's base logit by bisection so that the mean click probability equals {@code ctr}. */
    private void calibrate(EntityType type, double ctr, SplittableRandom r) {
        if (!(ctr > 0 && ctr < 1)) {
            throw new IllegalArgumentException("The CTR of " + type + " must be in (0, 1), got " + ctr);
        }
        int[] users = new int[CALIBRATION_SAMPLES];
        int[] items = new int[CALIBRATION_SAMPLES];
        int[] positions = new int[CALIBRATION_SAMPLES];
        for (int i = 0; i < CALIBRATION_SAMPLES; i++) {
            users[i] = calibrationUser(type, r);
            items[i] = pickItem(r, type, users[i], 0);
            positions[i] = r.nextInt(World.POSITIONS);
        }
        double lo = -20;
        double hi = 10;
        for (int iteration = 0; iteration < 50; iteration++) {
            double mid = (lo + hi) / 2;
            world.setBase(type, mid);
            double sum = 0;
            for (int i = 0; i < CALIBRATION_SAMPLES; i++) {
                sum += World.sigmoid(world.logit(type, users[i], items[i], positions[i], 0));
            }
            if (sum / CALIBRATION_SAMPLES < ctr) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        world.setBase(type, (lo + hi) / 2);
    }

    /** A user as often as {@code type}'s impressions show one: by activity, times the user's share of the type. */
    private int calibrationUser(EntityType type, SplittableRandom r) {
        if (!world.userShares) {
            return userActivity.sample(r);
        }
        while (true) {
            int u = userActivity.sample(r);
            double share = world.sourceShare(u);
            if (r.nextDouble() < (type == EntityType.PRODUCT ? share : 1.0 - share)) {
                return u;
            }
        }
    }

    private static double probability(double value, String key) {
        if (value < 0 || value > 1) {
            throw new IllegalArgumentException(key + " must be in [0, 1], got " + value);
        }
        return value;
    }

    /** Walker's alias method: O(1) sampling from a fixed discrete distribution. */
    static final class AliasTable {
        private final double[] probability;
        private final int[] alias;

        AliasTable(double[] weights) {
            int n = weights.length;
            probability = new double[n];
            alias = new int[n];
            double total = Arrays.stream(weights).sum();
            double[] scaled = new double[n];
            int[] small = new int[n];
            int[] large = new int[n];
            int smallCount = 0;
            int largeCount = 0;
            for (int i = 0; i < n; i++) {
                scaled[i] = weights[i] * n / total;
                if (scaled[i] < 1) {
                    small[smallCount++] = i;
                } else {
                    large[largeCount++] = i;
                }
            }
            while (smallCount > 0 && largeCount > 0) {
                int s = small[--smallCount];
                int l = large[--largeCount];
                probability[s] = scaled[s];
                alias[s] = l;
                scaled[l] = scaled[l] + scaled[s] - 1;
                if (scaled[l] < 1) {
                    small[smallCount++] = l;
                } else {
                    large[largeCount++] = l;
                }
            }
            while (largeCount > 0) {
                probability[large[--largeCount]] = 1;
            }
            while (smallCount > 0) {
                probability[small[--smallCount]] = 1;
            }
        }

        int sample(SplittableRandom r) {
            int i = r.nextInt(probability.length);
            return r.nextDouble() < probability[i] ? i : alias[i];
        }
    }
}

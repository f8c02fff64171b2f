package dev.transflow.simulate;

import dev.transflow.model.metric.PredictionMetrics;
import dev.transflow.schemas.EntityType;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SimulatorTest {

    /** Keeps what the generator emits; the generator reuses its impression object, so copy the fields. */
    private static class Recording implements EventSink {
        final List<long[]> events = new ArrayList<>();
        boolean finished;

        @Override
        public void accept(SimulatedImpression imp) {
            events.add(new long[] {imp.time(), imp.entityType() == EntityType.PRODUCT ? 0 : 1,
                    imp.clicked() ? imp.clickTime() - imp.time() : -1, imp.user()});
        }

        @Override
        public void finish() {
            finished = true;
        }

        @Override
        public void close() {}
    }

    private static SimulationReport simulateTo(Path dir, Configuration config, long seed, long impressions) {
        Simulator simulator = new Simulator(config, seed);
        try (CsvSink sink = new CsvSink(simulator.world(), dir)) {
            return simulator.run(impressions, sink, () -> false);
        }
    }

    @Test
    void sameSeedGivesByteIdenticalFiles(@TempDir Path dir) throws IOException {
        simulateTo(dir.resolve("a"), WorldPreset.DEFAULT.configuration(), 42, 20_000);
        simulateTo(dir.resolve("b"), WorldPreset.DEFAULT.configuration(), 42, 20_000);
        simulateTo(dir.resolve("c"), WorldPreset.DEFAULT.configuration(), 43, 20_000);

        for (String file : List.of(CsvSink.SOURCE_FILE, CsvSink.TARGET_FILE)) {
            byte[] a = Files.readAllBytes(dir.resolve("a").resolve(file));
            assertThat(a.length).isGreaterThan(100_000);
            assertThat(Files.readAllBytes(dir.resolve("b").resolve(file))).isEqualTo(a);
            assertThat(Files.readAllBytes(dir.resolve("c").resolve(file))).isNotEqualTo(a);
        }
    }

    @Test
    void volumesAndClickRatesFollowTheConfiguration() {
        Simulator simulator = new Simulator(WorldPreset.DEFAULT.configuration(), 3);
        Recording sink = new Recording();

        SimulationReport report = simulator.run(200_000, sink, () -> false);

        long source = report.source().impressions();
        long target = report.target().impressions();
        assertThat(source + target).isEqualTo(200_000);
        assertThat((double) source / (source + target)).isCloseTo(0.75, within(0.01));
        assertThat(report.source().ctr()).isCloseTo(0.036, within(0.004));
        assertThat(report.target().ctr()).isCloseTo(0.018, within(0.003));
        assertThat(sink.finished).isTrue();
        // Events come in event-time order at about 500 impressions per second of event time.
        List<long[]> events = sink.events;
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i)[0]).isGreaterThanOrEqualTo(events.get(i - 1)[0]);
        }
        double seconds = (events.get(events.size() - 1)[0] - events.get(0)[0]) / 1000.0;
        assertThat(200_000 / seconds).isCloseTo(500, within(10.0));
        assertThat(report.coldUsers()).isBetween(1_600, 2_400);
    }

    @Test
    void clickDelaysAreMostlyShortWithALateTail() {
        Configuration config = WorldPreset.DEFAULT.configuration();
        Simulator simulator = new Simulator(config, 5);
        Recording sink = new Recording();

        SimulationReport report = simulator.run(300_000, sink, () -> false);

        long window = SimulatorOptions.ATTRIBUTION_WINDOW.defaultValue().toMillis();
        List<Long> delays = sink.events.stream().filter(e -> e[2] >= 0).map(e -> e[2]).sorted().toList();
        assertThat(delays).isNotEmpty().allMatch(d -> d > 0);
        long median = delays.get(delays.size() / 2);
        assertThat(median).isBetween(2_500L, 6_500L);
        long late = delays.stream().filter(d -> d > window).count();
        assertThat((double) late / delays.size()).isCloseTo(0.02, within(0.01));
        assertThat(delays.stream().filter(d -> d > window).allMatch(d -> d <= 2 * window + 1)).isTrue();
        assertThat(report.source().lateClicks() + report.target().lateClicks()).isEqualTo(late);
    }

    @Test
    void oracleAucIsHighButNotPerfect() {
        SimulationReport report = new Simulator(WorldPreset.DEFAULT.configuration(), 11)
                .run(200_000, new Recording(), () -> false);

        // The oracle knows the true probabilities: far better than chance, yet clicks stay random draws.
        assertThat(report.source().oracleAuc()).isBetween(0.75, 0.97);
        assertThat(report.target().oracleAuc()).isBetween(0.75, 0.97);
    }

    @Test
    void oracleGaucIsReportedPerDomainForEveryWorld() {
        for (WorldPreset preset : WorldPreset.values()) {
            Simulator simulator = new Simulator(preset.configuration(), 11);
            // The same metric code, fed by hand from what the simulator emits.
            PredictionMetrics[] expected = {new PredictionMetrics(), new PredictionMetrics()};
            EventSink sink = new Recording() {
                @Override
                public void accept(SimulatedImpression imp) {
                    expected[World.domainIndex(imp.entityType())].add(imp.probability(), imp.clicked() ? 1 : 0,
                            imp.user());
                }
            };

            SimulationReport report = simulator.run(100_000, sink, () -> false);

            for (SimulationReport.DomainStats d : List.of(report.source(), report.target())) {
                assertThat(d.oracleGauc()).as(preset + " " + d.entityType()).isStrictlyBetween(0.5, 1.0);
                PredictionMetrics metrics = expected[World.domainIndex(d.entityType())];
                assertThat(d.oracleGauc()).isEqualTo(metrics.gauc());
                assertThat(d.oracleAuc()).isEqualTo(metrics.auc());
                assertThat((long) d.oracleSamples()).isEqualTo(d.impressions());
            }
            assertThat(report.format()).contains("oracle_auc=", "oracle_gauc=");
        }
    }

    @Test
    void recurringDriftShiftsAndRestoresClickProbabilities() {
        Configuration config = WorldPreset.RECURRING_DRIFT.configuration();
        World world = new Simulator(config, 9).world();
        long phase = config.get(SimulatorOptions.DRIFT_PHASE_LENGTH).toMillis();
        long start = world.startTime;

        assertThat(world.phase(start)).isZero();
        assertThat(world.phase(start + phase)).isEqualTo(1);
        assertThat(world.phase(start + 2 * phase)).isEqualTo(2);
        assertThat(world.phase(start + 3 * phase)).as("phases recur").isZero();

        double changed = 0;
        for (int u = 0; u < 200; u++) {
            double p0 = world.logit(EntityType.POST, u, u, 0, 0);
            double p1 = world.logit(EntityType.POST, u, u, 0, 1);
            changed += Math.abs(p1 - p0);
        }
        assertThat(changed / 200).as("mean logit shift between phases").isGreaterThan(0.3);
    }

    @Test
    void defaultWorldHasNoDriftAndNoHarmfulCategories() {
        World world = new Simulator(WorldPreset.DEFAULT.configuration(), 9).world();

        assertThat(world.phase(world.startTime + Duration.ofDays(3).toMillis())).isZero();
        for (boolean harmful : world.harmfulCategory) {
            assertThat(harmful).isFalse();
        }
    }

    @Test
    void harmfulSourceReversesProductInterestsInSomeCategories() {
        World world = new Simulator(WorldPreset.HARMFUL_SOURCE.configuration(), 9).world();
        int harmful = 0;
        for (boolean h : world.harmfulCategory) {
            harmful += h ? 1 : 0;
        }
        assertThat(harmful).isEqualTo(12); // 30% of 40 categories

        // In a harmful category, users who like the category (high affinity) click products less, posts more.
        double productCorrelation = 0;
        double postCorrelation = 0;
        int category = firstHarmful(world);
        int[] products = world.products.byCategory[category];
        int[] posts = world.posts.byCategory[category];
        for (int u = 0; u < 2_000; u++) {
            double affinity = world.categoryAffinity(u, category, 0);
            productCorrelation += affinity * (world.logit(EntityType.PRODUCT, u, products[u % products.length], 0, 0)
                    - world.base(EntityType.PRODUCT));
            postCorrelation += affinity * (world.logit(EntityType.POST, u, posts[u % posts.length], 0, 0)
                    - world.base(EntityType.POST));
        }
        assertThat(productCorrelation).isNegative();
        assertThat(postCorrelation).isPositive();
    }

    private static int firstHarmful(World world) {
        for (int k = 0; k < world.harmfulCategory.length; k++) {
            if (world.harmfulCategory[k]) {
                return k;
            }
        }
        throw new AssertionError("no harmful category");
    }

    /**
     * SHA-256 of everything a CSV row is made of (event fields, feature values) plus the true probability, for the
     * first 20,000 impressions of seed 42, taken before the cross-domain options existed.
     */
    @Test
    void existingWorldsAreUnchangedByTheCrossDomainOptions() throws NoSuchAlgorithmException {
        assertThat(digest(WorldPreset.DEFAULT.configuration(), 42, 20_000))
                .isEqualTo("67645a2e0b90453ab2808b1a193be1e39c0ef6554231e6417d6144844db3dec3");
        assertThat(digest(WorldPreset.RECURRING_DRIFT.configuration(), 42, 20_000))
                .isEqualTo("8f97c26c7120c1f5ed2b6874b128aa9dde37220f3f3181f6755406061a66a7af");
        assertThat(digest(WorldPreset.HARMFUL_SOURCE.configuration(), 42, 20_000))
                .isEqualTo("2cec7287f4e19ee02b4010c58537327e91b941b3768a5c3ff029c3b099cbacef");
    }

    private static String digest(Configuration config, long seed, long impressions)
            throws NoSuchAlgorithmException {
        Simulator simulator = new Simulator(config, seed);
        World world = simulator.world();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        String[] categorical = new String[8];
        double[] numeric = new double[1];
        ByteBuffer buffer = ByteBuffer.allocate(64);
        simulator.run(impressions, new Recording() {
            @Override
            public void accept(SimulatedImpression imp) {
                world.features(imp, categorical, numeric);
                buffer.clear();
                buffer.putLong(imp.time()).putInt(imp.entityType().ordinal()).putInt(imp.user()).putInt(imp.item())
                        .putInt(imp.position()).putLong(imp.clicked() ? imp.clickTime() : -1)
                        .putLong(Double.doubleToLongBits(numeric[0]))
                        .putLong(Double.doubleToLongBits(imp.probability()));
                sha.update(buffer.array(), 0, buffer.position());
                for (String value : categorical) {
                    sha.update(value.getBytes(StandardCharsets.UTF_8));
                    sha.update((byte) 0);
                }
            }
        }, () -> false);
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void crossDomainWorldIsDeterministic(@TempDir Path dir) throws IOException {
        simulateTo(dir.resolve("a"), WorldPreset.CROSS_DOMAIN.configuration(), 42, 20_000);
        simulateTo(dir.resolve("b"), WorldPreset.CROSS_DOMAIN.configuration(), 42, 20_000);
        simulateTo(dir.resolve("c"), WorldPreset.CROSS_DOMAIN.configuration(), 43, 20_000);
        simulateTo(dir.resolve("d"), WorldPreset.DEFAULT.configuration(), 42, 20_000);

        for (String file : List.of(CsvSink.SOURCE_FILE, CsvSink.TARGET_FILE)) {
            byte[] a = Files.readAllBytes(dir.resolve("a").resolve(file));
            assertThat(a.length).isGreaterThan(100_000);
            assertThat(Files.readAllBytes(dir.resolve("b").resolve(file))).isEqualTo(a);
            assertThat(Files.readAllBytes(dir.resolve("c").resolve(file))).isNotEqualTo(a);
            assertThat(Files.readAllBytes(dir.resolve("d").resolve(file))).isNotEqualTo(a);
            // Same columns as every other world: the generic CSV readers and the event schemas need no change.
            assertThat(Files.readAllLines(dir.resolve("a").resolve(file)).get(0))
                    .isEqualTo(Files.readAllLines(dir.resolve("d").resolve(file)).get(0));
        }
    }

    @Test
    void crossDomainWorldKeepsTheClickRatesAndTheOverallShare() {
        SimulationReport report = new Simulator(WorldPreset.CROSS_DOMAIN.configuration(), 3)
                .run(200_000, new Recording(), () -> false);

        long source = report.source().impressions();
        long target = report.target().impressions();
        assertThat((double) source / (source + target)).isCloseTo(0.75, within(0.02));
        assertThat(report.source().ctr()).isCloseTo(0.036, within(0.004));
        assertThat(report.target().ctr()).isCloseTo(0.018, within(0.003));
        assertThat(report.target().oracleAuc()).isBetween(0.75, 0.97);
    }

    /** Pearson correlation of product and post interest components, around the means of each profile group. */
    private static double withinProfileCorrelation(World world) {
        int groups = World.AGE_BUCKETS * World.GENDERS.length * world.cities;
        double[][] sourceMean = new double[groups][world.dim];
        double[][] targetMean = new double[groups][world.dim];
        int[] count = new int[groups];
        int users = world.users.count;
        int[] group = new int[users];
        for (int u = 0; u < users; u++) {
            group[u] = (world.users.ageBucket[u] * World.GENDERS.length + world.users.gender[u]) * world.cities
                    + world.users.city[u];
            double[] s = world.interest(EntityType.PRODUCT, u);
            double[] t = world.interest(EntityType.POST, u);
            count[group[u]]++;
            for (int j = 0; j < world.dim; j++) {
                sourceMean[group[u]][j] += s[j];
                targetMean[group[u]][j] += t[j];
            }
        }
        double ss = 0;
        double tt = 0;
        double st = 0;
        for (int u = 0; u < users; u++) {
            double[] s = world.interest(EntityType.PRODUCT, u);
            double[] t = world.interest(EntityType.POST, u);
            for (int j = 0; j < world.dim; j++) {
                double x = s[j] - sourceMean[group[u]][j] / count[group[u]];
                double y = t[j] - targetMean[group[u]][j] / count[group[u]];
                ss += x * x;
                tt += y * y;
                st += x * y;
            }
        }
        return st / Math.sqrt(ss * tt);
    }

    private static World worldWithCorrelation(double rho) {
        Configuration config = WorldPreset.CROSS_DOMAIN.configuration();
        config.set(SimulatorOptions.INTEREST_CORRELATION, rho);
        return new World(config, 9);
    }

    @Test
    void interestCorrelationSetsHowAlikeAUsersProductAndPostInterestsAre() {
        World same = worldWithCorrelation(1.0);
        for (int u = 0; u < 100; u++) {
            assertThat(same.interest(EntityType.POST, u)).containsExactly(same.interest(EntityType.PRODUCT, u));
        }
        // Within a profile group only the individual parts vary: z_t = rho z_s + sqrt(1 - rho^2) z' gives rho.
        assertThat(withinProfileCorrelation(worldWithCorrelation(0.7))).isCloseTo(0.7, within(0.03));
        assertThat(withinProfileCorrelation(worldWithCorrelation(0.0))).isCloseTo(0.0, within(0.03));

        // The interest terms of the click logit follow: identical at rho = 1, unrelated beyond the profile at 0.
        World apart = worldWithCorrelation(0.0);
        int category = 3;
        double sameDiff = 0;
        double apartDiff = 0;
        for (int u = 0; u < 2_000; u++) {
            sameDiff += Math.abs(same.categoryAffinity(EntityType.POST, u, category, 0)
                    - same.categoryAffinity(EntityType.PRODUCT, u, category, 0));
            apartDiff += Math.abs(apart.categoryAffinity(EntityType.POST, u, category, 0)
                    - apart.categoryAffinity(EntityType.PRODUCT, u, category, 0));
        }
        assertThat(sameDiff).isZero();
        assertThat(apartDiff / 2_000).isGreaterThan(0.05);
        // rho does not move anything else: the product side of the world is the same.
        assertThat(apart.interest(EntityType.PRODUCT, 7)).containsExactly(same.interest(EntityType.PRODUCT, 7));
    }

    @Test
    void postOnlyCategoriesHavePostsButNoProducts() {
        World world = new World(WorldPreset.CROSS_DOMAIN.configuration(), 9);
        assertThat(world.allCategories).isEqualTo(world.categories + 8);

        int postsInPostOnly = 0;
        for (int k = world.categories; k < world.allCategories; k++) {
            assertThat(world.products.byCategory[k]).isEmpty();
            assertThat(world.posts.byCategory[k]).isNotEmpty();
            postsInPostOnly += world.posts.byCategory[k].length;
        }
        assertThat((double) postsInPostOnly / world.posts.size).isCloseTo(8.0 / 48, within(0.02));
        for (int i = 0; i < world.products.size; i++) {
            assertThat(world.products.category[i]).isLessThan(world.categories);
        }
    }

    @Test
    void mediaTypeAndConditionScaleTheInterestTerm() {
        Configuration flat = WorldPreset.CROSS_DOMAIN.configuration();
        flat.set(SimulatorOptions.SPECIFIC_MODULATION, 0.0);
        World plain = new World(flat, 9);
        World modulated = new World(WorldPreset.CROSS_DOMAIN.configuration(), 9);

        double[] media = {1.0, 1.3, 0.6};
        double[] condition = {1.15, 1.0, 0.7};
        for (int i = 0; i < 300; i++) {
            int u = i * 7;
            double post = plain.interestTerm(EntityType.POST, u, i, 0);
            assertThat(modulated.interestTerm(EntityType.POST, u, i, 0))
                    .isCloseTo(media[modulated.posts.mediaType[i]] * post, within(1e-12));
            double product = plain.interestTerm(EntityType.PRODUCT, u, i, 0);
            assertThat(modulated.interestTerm(EntityType.PRODUCT, u, i, 0))
                    .isCloseTo(condition[modulated.products.condition[i]] * product, within(1e-12));
        }
        assertThat(new World(WorldPreset.DEFAULT.configuration(), 9).interestModulation(EntityType.POST, 0))
                .isEqualTo(1.0);
    }

    @Test
    void noiseFieldsDoNotChangeClickProbabilities() {
        World noisy = new World(WorldPreset.CROSS_DOMAIN.configuration(), 9);
        World informative = new World(WorldPreset.DEFAULT.configuration(), 9);
        int brandChanges = 0;
        int styleChanges = 0;
        for (int i = 0; i < 200; i++) {
            int u = i * 13;
            for (World world : List.of(noisy, informative)) {
                double product = world.logit(EntityType.PRODUCT, u, i, 0, 0);
                int brand = world.products.brand[i];
                world.products.brand[i] = (brand + 1) % world.brands;
                double otherBrand = world.logit(EntityType.PRODUCT, u, i, 0, 0);
                world.products.brand[i] = brand;

                double post = world.logit(EntityType.POST, u, i, 0, 0);
                int style = world.posts.contentStyle[i];
                world.posts.contentStyle[i] = (style + 1) % World.CONTENT_STYLES.length;
                double otherStyle = world.logit(EntityType.POST, u, i, 0, 0);
                world.posts.contentStyle[i] = style;

                if (world == noisy) {
                    assertThat(otherBrand).isEqualTo(product);
                    assertThat(otherStyle).isEqualTo(post);
                } else {
                    brandChanges += otherBrand != product ? 1 : 0;
                    styleChanges += otherStyle != post ? 1 : 0;
                }
            }
        }
        assertThat(brandChanges).isEqualTo(200);
        assertThat(styleChanges).isEqualTo(200);
    }

    @Test
    void positionBiasDiffersPerDomain() {
        World world = new World(WorldPreset.CROSS_DOMAIN.configuration(), 9);
        for (int u = 0; u < 50; u++) {
            assertThat(world.logit(EntityType.PRODUCT, u, u, 9, 0) - world.logit(EntityType.PRODUCT, u, u, 0, 0))
                    .isCloseTo(9 * -0.05, within(1e-9));
            assertThat(world.logit(EntityType.POST, u, u, 9, 0) - world.logit(EntityType.POST, u, u, 0, 0))
                    .isCloseTo(9 * -0.15, within(1e-9));
        }
    }

    @Test
    void usersDifferInTheirProductShareSomeAreColdInPosts() {
        Simulator simulator = new Simulator(WorldPreset.CROSS_DOMAIN.configuration(), 5);
        World world = simulator.world();
        Recording sink = new Recording();

        simulator.run(300_000, sink, () -> false);

        int users = world.users.count;
        double meanShare = 0;
        int almostOnlyProducts = 0;
        int mostlyPosts = 0;
        for (int u = 0; u < users; u++) {
            double share = world.sourceShare(u);
            meanShare += share;
            almostOnlyProducts += share > 0.99 ? 1 : 0;
            mostlyPosts += share < 0.5 ? 1 : 0;
        }
        assertThat(meanShare / users).isCloseTo(0.75, within(0.02));
        assertThat((double) almostOnlyProducts / users).isBetween(0.15, 0.45);
        assertThat((double) mostlyPosts / users).isBetween(0.05, 0.35);

        // Users with a rich product history and not a single post impression: the case transfer is for.
        int[] products = new int[users];
        int[] posts = new int[users];
        for (long[] e : sink.events) {
            (e[1] == 0 ? products : posts)[(int) e[3]]++;
        }
        int productRichPostCold = 0;
        int productRich = 0;
        for (int u = 0; u < users; u++) {
            if (products[u] >= 20) {
                productRich++;
                productRichPostCold += posts[u] == 0 ? 1 : 0;
            }
        }
        assertThat((double) productRichPostCold / productRich).isGreaterThan(0.1);

        // In the default world every user has the same share, so a product-rich user is rarely post-cold.
        Simulator plain = new Simulator(WorldPreset.DEFAULT.configuration(), 5);
        assertThat(plain.world().sourceShare(0)).isEqualTo(0.75);
        assertThat(plain.world().sourceShare(1)).isEqualTo(0.75);
    }

    @Test
    void stopEndsAnUnboundedRun() {
        Simulator simulator = new Simulator(WorldPreset.DEFAULT.configuration(), 1);
        Recording sink = new Recording();
        int[] checks = {0};

        simulator.run(0, sink, () -> ++checks[0] > 3);

        assertThat(sink.events).hasSize(3 * 1024);
        assertThat(sink.finished).isTrue();
    }

    @Test
    void invalidOptionsAreRejectedWithTheirKey() {
        Configuration config = new Configuration();
        assertThatThrownBy(() -> SimulatorOptions.set(config, "simulator.nope=1"))
                .hasMessageContaining("Unknown simulator option 'simulator.nope'");
        assertThatThrownBy(() -> SimulatorOptions.set(config, "simulator.users=many"))
                .hasMessageContaining("simulator.users");
        SimulatorOptions.set(config, "simulator.source-share=1.5");
        assertThatThrownBy(() -> new Simulator(config, 1)).hasMessageContaining("simulator.source-share");

        for (String bad : List.of("simulator.interest-correlation=1.5", "simulator.individual-interest-variance=-1",
                "simulator.post-only-categories=-1", "simulator.specific-modulation=2",
                "simulator.source-position-effect=5", "simulator.target-position-effect=-5",
                "simulator.domain-share-spread=1")) {
            Configuration c = new Configuration();
            SimulatorOptions.set(c, bad);
            String key = bad.substring(0, bad.indexOf('='));
            assertThatThrownBy(() -> new Simulator(c, 1)).as(bad).hasMessageContaining(key);
        }
    }
}

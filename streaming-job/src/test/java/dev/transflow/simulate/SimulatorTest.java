package dev.transflow.simulate;

import dev.transflow.schemas.EntityType;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SimulatorTest {

    /** Keeps what the generator emits; the generator reuses its impression object, so copy the fields. */
    private static final class Recording implements EventSink {
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
    }
}

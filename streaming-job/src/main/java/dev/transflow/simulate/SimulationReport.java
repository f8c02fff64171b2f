package dev.transflow.simulate;

import dev.transflow.model.metric.PredictionMetrics;
import dev.transflow.schemas.EntityType;

import java.util.Locale;

/**
 * What a simulation produced, per domain, with the oracle AUC and GAUC: the true click probabilities scored
 * against the drawn clicks, the best any model can expect to reach on the same impressions.
 */
public final class SimulationReport {

    /**
     * Counts of one domain. {@code oracleGauc} is MKT's eq. 14 over the oracle's predictions: the per-user AUC,
     * weighted by the user's impressions, over users with both a click and a non-click.
     */
    public record DomainStats(EntityType entityType, long impressions, long clicks, long lateClicks,
            double oracleAuc, double oracleGauc, int oracleSamples) {
        public double ctr() {
            return impressions == 0 ? Double.NaN : (double) clicks / impressions;
        }
    }

    private final DomainStats source;
    private final DomainStats target;
    private final int initialUsers;
    private final int finalUsers;
    private final long elapsedNanos;

    private SimulationReport(DomainStats source, DomainStats target, int initialUsers, int finalUsers,
            long elapsedNanos) {
        this.source = source;
        this.target = target;
        this.initialUsers = initialUsers;
        this.finalUsers = finalUsers;
        this.elapsedNanos = elapsedNanos;
    }

    public DomainStats source() {
        return source;
    }

    public DomainStats target() {
        return target;
    }

    public int coldUsers() {
        return finalUsers - initialUsers;
    }

    /** Impressions plus clicks. */
    public long events() {
        return source.impressions + source.clicks + target.impressions + target.clicks;
    }

    public double elapsedSeconds() {
        return elapsedNanos / 1e9;
    }

    public double eventsPerSecond() {
        return events() / Math.max(1e-9, elapsedSeconds());
    }

    /** Human-readable summary, one line per domain. */
    public String format() {
        StringBuilder out = new StringBuilder();
        for (DomainStats d : new DomainStats[] {source, target}) {
            out.append(String.format(Locale.ROOT,
                    "%-6s (%s): impressions=%d clicks=%d ctr=%.4f late_clicks=%d oracle_auc=%.4f "
                            + "oracle_gauc=%.4f%n",
                    d.entityType == EntityType.PRODUCT ? "source" : "target",
                    d.entityType == EntityType.PRODUCT ? "products" : "posts",
                    d.impressions, d.clicks, d.ctr(), d.lateClicks, d.oracleAuc, d.oracleGauc));
        }
        out.append(String.format(Locale.ROOT, "users: %d at start, %d arrived cold; %d events in %.2f s (%.0f events/s)",
                initialUsers, coldUsers(), events(), elapsedSeconds(), eventsPerSecond()));
        return out.toString();
    }

    static final class Builder {
        private final Domain[] domains = {new Domain(EntityType.PRODUCT), new Domain(EntityType.POST)};
        private final int initialUsers;

        Builder(int initialUsers) {
            this.initialUsers = initialUsers;
        }

        void add(SimulatedImpression imp, long windowMillis) {
            Domain d = domains[World.domainIndex(imp.entityType)];
            d.impressions++;
            if (imp.clicked) {
                d.clicks++;
                if (imp.clickTime - imp.time > windowMillis) {
                    d.lateClicks++;
                }
            }
            d.record(imp.probability, imp.clicked, imp.user);
        }

        SimulationReport build(int finalUsers, long elapsedNanos) {
            return new SimulationReport(domains[0].stats(), domains[1].stats(), initialUsers, finalUsers,
                    elapsedNanos);
        }
    }

    private static final class Domain {
        final EntityType type;
        long impressions;
        long clicks;
        long lateClicks;
        /** The oracle's predictions: the model library's metric code, as for every trained model. */
        final PredictionMetrics oracle = new PredictionMetrics();

        Domain(EntityType type) {
            this.type = type;
        }

        void record(double probability, boolean clicked, int user) {
            if (oracle.count() < Simulator.ORACLE_SAMPLE_LIMIT) {
                oracle.add(probability, clicked ? 1 : 0, user);
            }
        }

        DomainStats stats() {
            return new DomainStats(type, impressions, clicks, lateClicks, oracle.auc(), oracle.gauc(),
                    oracle.count());
        }
    }
}

package dev.transflow.train;

import dev.transflow.model.metric.PredictionMetrics;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.ModelKind;
import dev.transflow.schemas.TrainingMetrics;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * Prequential metrics over consecutive windows of a fixed number of predictions: the gauges show the last full
 * window, and each full window becomes one {@link TrainingMetrics} record.
 */
final class PrequentialWindow {

    private final String job;
    private final ModelKind kind;
    private final Domain domain;
    private final int size;
    private PredictionMetrics current = new PredictionMetrics();
    private PredictionMetrics last;
    private long started = -1;

    PrequentialWindow(String job, ModelKind kind, Domain domain, int size) {
        if (size < 2) {
            throw new IllegalArgumentException(TrainerOptions.METRIC_WINDOW.key() + " must be >= 2, got " + size);
        }
        this.job = job;
        this.kind = kind;
        this.domain = domain;
        this.size = size;
    }

    /** @return the window's record when this prediction completed it, else null */
    TrainingMetrics add(double score, int label, String user, long now, long modelVersion) {
        if (started < 0) {
            started = now;
        }
        current.add(score, label, user.hashCode());
        if (current.count() < size) {
            return null;
        }
        last = current;
        TrainingMetrics record = TrainingMetrics.newBuilder()
                .setJob(job).setModelKind(kind).setModelVersion(modelVersion).setDomain(domain)
                .setWindowStart(started).setWindowEnd(now + 1)
                .setAuc(finite(last.auc())).setGauc(finite(last.gauc())).setLogLoss(finite(last.logLoss()))
                .setSamples(last.count()).setPositives(last.positives())
                .build();
        current = new PredictionMetrics();
        started = -1;
        return record;
    }

    /** Registers the window's gauges: {@code prequentialAuc}, {@code prequentialGauc}, {@code prequentialLogLoss}. */
    void register(MetricGroup metrics) {
        metrics.gauge("prequentialAuc", (Gauge<Double>) this::auc);
        metrics.gauge("prequentialGauc", (Gauge<Double>) this::gauc);
        metrics.gauge("prequentialLogLoss", (Gauge<Double>) this::logLoss);
    }

    /** The last full window's metrics for a snapshot's manifest (finite values only). */
    java.util.Map<String, Double> manifestMetrics(String prefix) {
        java.util.Map<String, Double> out = new java.util.HashMap<>();
        putFinite(out, prefix + "auc", auc());
        putFinite(out, prefix + "gauc", gauc());
        putFinite(out, prefix + "logloss", logLoss());
        return out;
    }

    private static void putFinite(java.util.Map<String, Double> map, String key, double value) {
        if (Double.isFinite(value)) {
            map.put(key, value);
        }
    }

    double auc() {
        return last == null ? Double.NaN : last.auc();
    }

    double gauc() {
        return last == null ? Double.NaN : last.gauc();
    }

    double logLoss() {
        return last == null ? Double.NaN : last.logLoss();
    }

    private static Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }
}

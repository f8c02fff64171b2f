package dev.transflow.train;

import dev.transflow.model.snapshot.SnapshotException;
import dev.transflow.model.train.StreamingModel;
import dev.transflow.schemas.ModelKind;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.snapshot.SnapshotPublisher;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;

/**
 * A trainer's publications of its model to the snapshot store: when the last one was tried, how long it held
 * training up, and how many failed ({@code publishFailures}). A publication that fails (disk full, permissions, a
 * damaged store) is logged and counted, and training goes on: the model is intact, and failing the job would fail
 * it at every publication for as long as the store is broken. The next attempt waits for the trainer's next
 * interval after a failure too, so a store that stays broken does not hold up every step.
 */
final class Publication {

    private static final Logger LOG = LoggerFactory.getLogger(Publication.class);

    private final SnapshotPublisher publisher;
    private final ModelKind kind;
    private final boolean withSavedModel;
    private final String retry;
    private final Counter failures;
    private long lastAttempt = System.currentTimeMillis();
    private long lastNanos;

    /**
     * @param withSavedModel whether each snapshot also holds a SavedModel for serving
     * @param retry when the trainer tries again after a failure, for the log, e.g. {@code "in 600000 ms"}
     */
    Publication(SnapshotPublisher publisher, ModelKind kind, boolean withSavedModel, String retry,
            MetricGroup metrics) {
        this.publisher = publisher;
        this.kind = kind;
        this.withSavedModel = withSavedModel;
        this.retry = retry;
        this.failures = metrics.counter("publishFailures");
    }

    /**
     * Publishes {@code model} as the version after {@code progress}'s last one and records that version in
     * {@code progress}; the samples counted towards the next publication start over, after a failure too.
     *
     * @return the announcement, or empty when the publication failed
     */
    Optional<ModelVersion> publish(StreamingModel model, TrainerProgress progress, Map<String, Double> metrics) {
        long started = System.nanoTime();
        Optional<ModelVersion> published;
        try {
            ModelVersion version = publisher.publish(model, progress.publishedVersion, progress.trainedSamples,
                    metrics, withSavedModel);
            progress.publishedVersion = version.getVersion();
            published = Optional.of(version);
        } catch (SnapshotException e) {
            failures.inc();
            LOG.warn("Could not publish a {} snapshot at {} trained samples; training goes on and the next "
                    + "publication is tried {}", kind, progress.trainedSamples, retry, e);
            published = Optional.empty();
        }
        lastNanos = System.nanoTime() - started;
        published.ifPresent(v -> LOG.info("Published {} version {} at {} trained samples in {} ms (training waits "
                + "meanwhile): {}", kind, v.getVersion(), progress.trainedSamples, lastNanos / 1_000_000, v.getUri()));
        progress.samplesSincePublish = 0;
        lastAttempt = System.currentTimeMillis();
        return published;
    }

    /** Whether {@code intervalMillis} have passed at {@code now} since the last attempt (or since the start). */
    boolean intervalPassed(long now, long intervalMillis) {
        return now - lastAttempt >= intervalMillis;
    }

    /** How long the last attempt took. */
    double lastMillis() {
        return lastNanos / 1e6;
    }

    /** Publications that failed since the trainer opened. */
    long failures() {
        return failures.getCount();
    }
}

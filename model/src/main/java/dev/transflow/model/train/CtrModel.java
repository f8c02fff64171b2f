package dev.transflow.model.train;

import dev.transflow.model.feature.EncodedSamples;

/** A click-through-rate model for the target domain, trained on one or both domains. */
public interface CtrModel extends AutoCloseable {

    /** Name as on the command line, e.g. {@code mkt} or {@code shared-bottom}. */
    String name();

    /**
     * Trains on rows {@code [0, sourceEnd)} of {@code source} and {@code [0, targetEnd)} of {@code target}, in time
     * order. Single-domain models ignore the source.
     */
    void fit(EncodedSamples source, int sourceEnd, EncodedSamples target, int targetEnd);

    /**
     * One pass of the target-domain training step over target rows {@code [from, to)}: continual training on
     * target samples as they arrive.
     *
     * @throws UnsupportedOperationException for models that only train on both domains at once
     */
    void trainTarget(EncodedSamples target, int from, int to);

    /** What each offline training stage of the last {@code fit} did (epochs, best epoch, validation curve). */
    default java.util.List<StageLog> trainingLog() {
        return java.util.List.of();
    }

    /** Click probabilities of target rows {@code [from, to)}. */
    float[] predict(EncodedSamples target, int from, int to);

    @Override
    void close();
}

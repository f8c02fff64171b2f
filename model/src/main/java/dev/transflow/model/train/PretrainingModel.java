package dev.transflow.model.train;

import dev.transflow.model.feature.EncodedSamples;

/**
 * A model that a pre-training job trains continually and publishes as knowledge for target models: MEM today (MKT),
 * TPM and CPM next (E-CDCTR). Its {@link #produces()} is the knowledge kind, and {@link #predict} scores the target
 * rows of a batch before it is trained on, for the job's prequential metrics.
 */
public interface PretrainingModel extends StreamingModel {

    /**
     * One continual step on a mini-batch of source rows {@code [sFrom, sTo)} and target rows {@code [tFrom, tTo)}.
     * Either range may be empty (one domain's stream stalls); the parts that only the missing domain trains get no
     * gradient.
     */
    void trainPretraining(EncodedSamples source, int sFrom, int sTo, EncodedSamples target, int tFrom, int tTo);
}

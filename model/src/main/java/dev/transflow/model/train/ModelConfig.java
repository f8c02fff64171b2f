package dev.transflow.model.train;

import java.util.Arrays;

/**
 * Network sizes, regularization and training settings. Sizes follow the MKT paper's public-data setup: shared
 * layers [128, 64], towers [16, 1], target network [128, 64, 16, 1], 3 experts, gamma = 0.01. Change one setting
 * with {@link #with()}: {@code ModelConfig.defaults().with().batchSize(256).build()}. Each component is also a
 * typed option in {@link dev.transflow.model.registry.ModelOptions}, with the same default, so that
 * {@code transflow evaluate} and the streaming jobs set it by key.
 *
 * @param maxJointEpochs most epochs of a stage that trains on source rows (MEM pre-training, joint models,
 *     Finetune's source stage); early stopping usually ends it sooner
 * @param maxTargetEpochs most epochs of a stage that trains on target rows only
 * @param patience epochs without a better validation AUC before a stage stops (its best epoch's weights are kept)
 * @param validationFraction the last part in time of each stage's training rows held out to pick the epoch;
 *     0 trains exactly the maximum epochs on every row
 * @param refit whether the model is trained a second time, from its initial weights, on every row of the window
 *     (the validation slice included) for exactly the checks each stage kept the first time; the slice is the most
 *     recent tenth of the window, which a model that serves next should not leave out; off by default (on for
 *     {@code lr}, {@link dev.transflow.model.registry.ModelRegistry}), measured in docs/learning-quality.md
 * @param validationsPerEpoch validation checks per epoch, after equal parts of its rows: the kept weights can come
 *     from within an epoch (patience still counts whole epochs); a validation slice with fewer than 50 clicks is
 *     checked once per epoch
 * @param embeddingL2 L2 weight on the embedding rows a batch reads (per row, averaged over the batch)
 * @param denseL2 L2 weight on dense weight matrices
 * @param dropout dropout rate of hidden layers while training
 * @param targetStart where a single-domain deep model's target stage starts: see {@link TargetStart}
 * @param temResidual whether MKT's TEM predicts a correction to MEM's target logit: {@code logit = MEM's (frozen)
 *     + TEM's own}, TEM's output layer starting at zero, so TEM starts at MEM's prediction and its stage keeps that
 *     start unless training validates better (a fifth knowledge beyond the paper's four: docs/learning-quality.md)
 * @param temWarmStart whether MKT's TEM starts its embeddings, wide term, attention and numeric statistics from
 *     the MEM it reads (same shapes, same meaning) instead of from random values; off by default (the paper gives
 *     TEM its own embeddings), measured in docs/learning-quality.md
 */
public record ModelConfig(int[] sharedUnits, int[] towerUnits, int[] targetUnits, int experts, int alignedWidth,
        int specificWidth, float pdlWeight, int batchSize, int maxJointEpochs, int maxTargetEpochs, int patience,
        double validationFraction, boolean refit, int validationsPerEpoch, float embeddingL2, float denseL2, float dropout,
        boolean temWarmStart, boolean temResidual, MemLossWeighting memLossWeighting, TargetStart targetStart,
        int threads,
        Optimizer.Settings optimizer) {

    /**
     * How MEM weighs its two domains' click losses (MKT eq. 11). {@code SAMPLES}: one mean over every row of the
     * mixed batch, so a domain weighs as many rows as it brings; {@code DOMAINS}: the mean of each domain's rows,
     * summed, so the sparse target domain weighs as much as the source (as the joint baselines do).
     */
    public enum MemLossWeighting { SAMPLES, DOMAINS }

    /**
     * Where a target stage of a network with a wide term starts. {@code SCRATCH}: the initial weights, everything
     * trained at once. {@code WIDE}: the logistic regression inside the network first (wide term and output bias
     * fitted alone, the deep output layer set to zero), then everything, keeping that regression unless training
     * validates better. {@code BEST}: both, keeping the one with the better validation AUC (twice the training
     * time; without a validation slice it is {@code SCRATCH}).
     */
    public enum TargetStart { SCRATCH, WIDE, BEST }


    public ModelConfig {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        if (maxJointEpochs < 1 || maxTargetEpochs < 1) {
            throw new IllegalArgumentException("maximum epochs must be positive, got joint " + maxJointEpochs
                    + ", target " + maxTargetEpochs);
        }
        if (patience < 1) {
            throw new IllegalArgumentException("patience must be at least 1 epoch, got " + patience);
        }
        if (!(validationFraction >= 0 && validationFraction < 0.5)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 0.5), got " + validationFraction);
        }
        if (validationsPerEpoch < 1) {
            throw new IllegalArgumentException("validations per epoch must be at least 1, got " + validationsPerEpoch);
        }
        if (embeddingL2 < 0 || denseL2 < 0) {
            throw new IllegalArgumentException("L2 weights must not be negative");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (memLossWeighting == null) {
            throw new IllegalArgumentException("MEM loss weighting must be set");
        }
        if (targetStart == null) {
            throw new IllegalArgumentException("target start must be set");
        }
    }

    public static ModelConfig defaults() {
        return new ModelConfig(new int[] {128, 64}, new int[] {16, 1}, new int[] {128, 64, 16, 1}, 3, 16, 16, 0.01f,
                512, 10, 10, 2, 0.1, false, 1, 1e-4f, 0f, 0f, false, true, MemLossWeighting.DOMAINS, TargetStart.BEST, 0,
                Optimizer.Settings.defaults());
    }

    public Builder with() {
        return new Builder(this);
    }

    public ModelConfig withThreads(int n) {
        return with().threads(n).build();
    }

    public ModelConfig withBatchSize(int n) {
        return with().batchSize(n).build();
    }

    /** Exactly {@code joint} and {@code target} epochs on every training row: no validation slice. */
    public ModelConfig withFixedEpochs(int joint, int target) {
        return with().maxJointEpochs(joint).maxTargetEpochs(target).validationFraction(0).build();
    }

    /** Width of the last shared layer: MEM's common knowledge and TEM's cross representation (MKT eq. 12). */
    public int crossWidth() {
        return sharedUnits[sharedUnits.length - 1];
    }

    @Override
    public String toString() {
        return "ModelConfig[shared=" + Arrays.toString(sharedUnits) + ", towers=" + Arrays.toString(towerUnits)
                + ", target=" + Arrays.toString(targetUnits) + ", experts=" + experts + ", batch=" + batchSize
                + ", epochs<=" + maxJointEpochs + "/" + maxTargetEpochs + ", patience=" + patience + ", validation="
                + validationFraction + (refit ? " then refit" : "") + " x" + validationsPerEpoch + "/epoch, l2=" + embeddingL2 + "/" + denseL2
                + ", dropout=" + dropout + ", temWarmStart=" + temWarmStart + ", temResidual=" + temResidual
                + ", targetStart=" + targetStart + ", "
                + optimizer + "]";
    }

    /** A copy with some settings changed. */
    public static final class Builder {
        private int[] sharedUnits;
        private int[] towerUnits;
        private int[] targetUnits;
        private int experts;
        private int alignedWidth;
        private int specificWidth;
        private float pdlWeight;
        private int batchSize;
        private int maxJointEpochs;
        private int maxTargetEpochs;
        private int patience;
        private double validationFraction;
        private boolean refit;
        private int validationsPerEpoch;
        private float embeddingL2;
        private float denseL2;
        private float dropout;
        private boolean temWarmStart;
        private boolean temResidual;
        private MemLossWeighting memLossWeighting;
        private TargetStart targetStart;
        private int threads;
        private Optimizer.Settings optimizer;

        private Builder(ModelConfig c) {
            sharedUnits = c.sharedUnits;
            towerUnits = c.towerUnits;
            targetUnits = c.targetUnits;
            experts = c.experts;
            alignedWidth = c.alignedWidth;
            specificWidth = c.specificWidth;
            pdlWeight = c.pdlWeight;
            batchSize = c.batchSize;
            maxJointEpochs = c.maxJointEpochs;
            maxTargetEpochs = c.maxTargetEpochs;
            patience = c.patience;
            validationFraction = c.validationFraction;
            refit = c.refit;
            validationsPerEpoch = c.validationsPerEpoch;
            embeddingL2 = c.embeddingL2;
            denseL2 = c.denseL2;
            dropout = c.dropout;
            temWarmStart = c.temWarmStart;
            temResidual = c.temResidual;
            memLossWeighting = c.memLossWeighting;
            targetStart = c.targetStart;
            threads = c.threads;
            optimizer = c.optimizer;
        }

        public Builder sharedUnits(int[] v) {
            sharedUnits = v.clone();
            return this;
        }

        public Builder towerUnits(int[] v) {
            towerUnits = v.clone();
            return this;
        }

        public Builder targetUnits(int[] v) {
            targetUnits = v.clone();
            return this;
        }

        public Builder experts(int v) {
            experts = v;
            return this;
        }

        public Builder alignedWidth(int v) {
            alignedWidth = v;
            return this;
        }

        public Builder specificWidth(int v) {
            specificWidth = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder maxJointEpochs(int v) {
            maxJointEpochs = v;
            return this;
        }

        public Builder maxTargetEpochs(int v) {
            maxTargetEpochs = v;
            return this;
        }

        public Builder patience(int v) {
            patience = v;
            return this;
        }

        public Builder validationFraction(double v) {
            validationFraction = v;
            return this;
        }

        public Builder validationsPerEpoch(int v) {
            validationsPerEpoch = v;
            return this;
        }

        public Builder embeddingL2(float v) {
            embeddingL2 = v;
            return this;
        }

        public Builder denseL2(float v) {
            denseL2 = v;
            return this;
        }

        public Builder dropout(float v) {
            dropout = v;
            return this;
        }

        public Builder refit(boolean v) {
            refit = v;
            return this;
        }

        public Builder temWarmStart(boolean v) {
            temWarmStart = v;
            return this;
        }

        public Builder temResidual(boolean v) {
            temResidual = v;
            return this;
        }

        public Builder memLossWeighting(MemLossWeighting v) {
            memLossWeighting = v;
            return this;
        }

        public Builder targetStart(TargetStart v) {
            targetStart = v;
            return this;
        }

        public Builder threads(int v) {
            threads = v;
            return this;
        }

        public Builder pdlWeight(float v) {
            pdlWeight = v;
            return this;
        }

        public Builder optimizer(Optimizer.Settings v) {
            optimizer = v;
            return this;
        }

        public ModelConfig build() {
            return new ModelConfig(sharedUnits, towerUnits, targetUnits, experts, alignedWidth, specificWidth,
                    pdlWeight, batchSize, maxJointEpochs, maxTargetEpochs, patience, validationFraction,
                    refit, validationsPerEpoch, embeddingL2,
                    denseL2, dropout, temWarmStart, temResidual, memLossWeighting, targetStart, threads, optimizer);
        }
    }
}

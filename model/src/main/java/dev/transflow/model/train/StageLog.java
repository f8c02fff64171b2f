package dev.transflow.model.train;

import java.util.Arrays;
import java.util.Objects;

/**
 * What one offline training stage did. A stage validates {@code checksPerEpoch} times per epoch (after each equal
 * part of the epoch's rows); it ran {@code checks} parts and kept the weights after part {@code bestCheck} (both
 * count from 1). {@code validationAuc[i]} is the validation AUC after part {@code i + 1}; empty without a
 * validation slice, in which case {@code bestCheck == checks}.
 */
public record StageLog(String stage, int checksPerEpoch, int checks, int bestCheck, double[] validationAuc) {

    public StageLog {
        Objects.requireNonNull(stage, "stage");
        if (checksPerEpoch < 1) {
            throw new IllegalArgumentException("checks per epoch must be positive, got " + checksPerEpoch);
        }
        // Copied both ways so a log cannot change after it was handed over.
        validationAuc = validationAuc == null ? new double[0] : validationAuc.clone();
    }

    /** A stage that validated once per epoch. */
    public StageLog(String stage, int epochs, int bestEpoch, double[] validationAuc) {
        this(stage, 1, epochs, bestEpoch, validationAuc);
    }

    /** Epochs trained, e.g. 2.5 after two and a half passes. */
    public double epochs() {
        return checks / (double) checksPerEpoch;
    }

    /** Where the kept weights were taken, in epochs: 1.25 is a quarter into the second epoch. */
    public double bestEpoch() {
        return bestCheck / (double) checksPerEpoch;
    }

    @Override
    public double[] validationAuc() {
        return validationAuc.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StageLog l && stage.equals(l.stage) && checksPerEpoch == l.checksPerEpoch
                && checks == l.checks && bestCheck == l.bestCheck && Arrays.equals(validationAuc, l.validationAuc);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stage, checksPerEpoch, checks, bestCheck, Arrays.hashCode(validationAuc));
    }

    @Override
    public String toString() {
        return "StageLog[" + stage + ", " + epochs() + " epochs, best " + bestEpoch() + ", "
                + Arrays.toString(validationAuc) + "]";
    }
}

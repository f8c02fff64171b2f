package dev.transflow.model.train;

import java.util.Arrays;
import java.util.Objects;

/**
 * What one offline training stage did: the epochs it ran, the epoch whose weights it kept (epochs count from 1),
 * and the validation AUC after each epoch ({@code validationAuc[i]} after epoch {@code i + 1}; empty without a
 * validation slice).
 */
public record StageLog(String stage, int epochs, int bestEpoch, double[] validationAuc) {

    public StageLog {
        Objects.requireNonNull(stage, "stage");
        // Copied both ways so a log cannot change after it was handed over.
        validationAuc = validationAuc == null ? new double[0] : validationAuc.clone();
    }

    @Override
    public double[] validationAuc() {
        return validationAuc.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StageLog l && stage.equals(l.stage) && epochs == l.epochs && bestEpoch == l.bestEpoch
                && Arrays.equals(validationAuc, l.validationAuc);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stage, epochs, bestEpoch, Arrays.hashCode(validationAuc));
    }

    @Override
    public String toString() {
        return "StageLog[" + stage + ", " + epochs + " epochs, best " + bestEpoch + ", "
                + Arrays.toString(validationAuc) + "]";
    }
}

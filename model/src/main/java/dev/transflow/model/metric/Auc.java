package dev.transflow.model.metric;

import java.util.Arrays;

/** Exact area under the ROC curve; tied scores count one half (the Mann-Whitney U statistic). */
public final class Auc {

    private Auc() {}

    /**
     * AUC of {@code scores} against {@code labels} (0 or 1) over the first {@code n} entries.
     *
     * @return NaN when only one class is present
     */
    public static double of(double[] scores, byte[] labels, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        long positives = 0;
        for (int i = 0; i < n; i++) {
            positives += labels[i];
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        // Sum of ranks of positives, ties sharing their average rank (ranks are 1-based).
        double positiveRankSum = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            long tiedPositives = 0;
            while (j < n && scores[order[j]] == scores[order[i]]) {
                tiedPositives += labels[order[j]];
                j++;
            }
            double averageRank = (i + 1 + j) / 2.0;
            positiveRankSum += tiedPositives * averageRank;
            i = j;
        }
        double u = positiveRankSum - positives * (positives + 1) / 2.0;
        return u / ((double) positives * negatives);
    }
}

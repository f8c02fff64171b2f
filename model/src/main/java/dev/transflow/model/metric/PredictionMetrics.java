package dev.transflow.model.metric;

import java.util.Arrays;

/**
 * AUC, GAUC and log-loss of a set of predictions. Accumulators merge, so windows of a stream can be combined
 * exactly: the metrics of merged windows equal those computed over all their predictions at once.
 */
public final class PredictionMetrics {

    private static final double CLIP = 1e-7;

    private double[] scores = new double[256];
    private byte[] labels = new byte[256];
    private int[] users = new int[256];
    private int count;

    /** Adds one prediction of a click probability {@code score} for a sample of {@code user}. */
    public void add(double score, int label, int user) {
        if (label != 0 && label != 1) {
            throw new IllegalArgumentException("label must be 0 or 1, got " + label);
        }
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("score must be a probability, got " + score);
        }
        if (count == scores.length) {
            int capacity = count * 2;
            scores = Arrays.copyOf(scores, capacity);
            labels = Arrays.copyOf(labels, capacity);
            users = Arrays.copyOf(users, capacity);
        }
        scores[count] = score;
        labels[count] = (byte) label;
        users[count] = user;
        count++;
    }

    /** Adds every prediction of {@code other}. */
    public PredictionMetrics merge(PredictionMetrics other) {
        for (int i = 0; i < other.count; i++) {
            add(other.scores[i], other.labels[i], other.users[i]);
        }
        return this;
    }

    public int count() {
        return count;
    }

    public long positives() {
        long p = 0;
        for (int i = 0; i < count; i++) {
            p += labels[i];
        }
        return p;
    }

    /** Exact AUC (ties count one half); NaN without both classes. */
    public double auc() {
        return Auc.of(scores, labels, count);
    }

    /**
     * GAUC (MKT eq. 14): per-user AUC weighted by the user's impressions, over users who have both a click and a
     * non-click; NaN when no user has both.
     */
    public double gauc() {
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(users[a], users[b]));
        double weighted = 0;
        long weight = 0;
        double[] s = new double[16];
        byte[] l = new byte[16];
        int i = 0;
        while (i < count) {
            int j = i;
            while (j < count && users[order[j]] == users[order[i]]) {
                j++;
            }
            int n = j - i;
            if (s.length < n) {
                s = new double[n];
                l = new byte[n];
            }
            int positives = 0;
            for (int k = 0; k < n; k++) {
                s[k] = scores[order[i + k]];
                l[k] = labels[order[i + k]];
                positives += l[k];
            }
            if (positives > 0 && positives < n) {
                weighted += n * Auc.of(s, l, n);
                weight += n;
            }
            i = j;
        }
        return weight == 0 ? Double.NaN : weighted / weight;
    }

    /** Mean binary cross-entropy, probabilities clipped to [1e-7, 1 - 1e-7]; NaN when empty. */
    public double logLoss() {
        if (count == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < count; i++) {
            double p = Math.min(1 - CLIP, Math.max(CLIP, scores[i]));
            sum -= labels[i] == 1 ? Math.log(p) : Math.log(1 - p);
        }
        return sum / count;
    }
}

package dev.transflow.model.feature;

import dev.transflow.schemas.Domain;

/**
 * Samples of one domain as flat primitive arrays, ready to be sliced into batches without per-value boxing.
 * Row {@code r}'s categorical indices are {@code categorical[r * layout.categoricalWidth() ...]}, absolute rows of
 * the schema's shared embedding table; sequences are, per element, the table rows of its
 * {@link DomainLayout#sequenceAttributes() attributes} (item id, category), padded, with their lengths.
 */
public final class EncodedSamples {

    public final Domain domain;
    public final DomainLayout layout;
    public final int rows;
    public final int[] categorical;
    public final float[] numeric;
    public final int[] productSequence;
    public final int[] productSequenceLength;
    public final int[] postSequence;
    public final int[] postSequenceLength;
    public final float[] labels;
    /** Dense user index per row (for GAUC); the same user has the same index in both domains of one encoding. */
    public final int[] users;
    public final long[] timestamps;
    /** User ids by the dense index of {@link #users}. */
    String[] userIds = new String[0];

    EncodedSamples(Domain domain, DomainLayout layout, int rows) {
        this.domain = domain;
        this.layout = layout;
        this.rows = rows;
        int seq = layout.sequenceWidth();
        categorical = new int[rows * layout.categoricalWidth()];
        numeric = new float[rows * layout.numericWidth()];
        productSequence = new int[rows * seq];
        productSequenceLength = new int[rows];
        postSequence = new int[rows * seq];
        postSequenceLength = new int[rows];
        labels = new float[rows];
        users = new int[rows];
        timestamps = new long[rows];
    }

    /** Rows {@code order[0], order[1], ...} as new samples (e.g. one epoch's shuffled training rows). */
    public EncodedSamples rows(int[] order) {
        EncodedSamples out = new EncodedSamples(domain, layout, order.length);
        int cw = layout.categoricalWidth();
        int nw = layout.numericWidth();
        int seq = layout.sequenceWidth();
        for (int i = 0; i < order.length; i++) {
            int r = order[i];
            System.arraycopy(categorical, r * cw, out.categorical, i * cw, cw);
            System.arraycopy(numeric, r * nw, out.numeric, i * nw, nw);
            System.arraycopy(productSequence, r * seq, out.productSequence, i * seq, seq);
            System.arraycopy(postSequence, r * seq, out.postSequence, i * seq, seq);
            out.productSequenceLength[i] = productSequenceLength[r];
            out.postSequenceLength[i] = postSequenceLength[r];
            out.labels[i] = labels[r];
            out.users[i] = users[r];
            out.timestamps[i] = timestamps[r];
        }
        out.userIds = userIds;
        return out;
    }

    /** Share of positive labels in rows {@code [from, to)}. */
    public double clickRate(int from, int to) {
        double clicks = 0;
        for (int r = from; r < to; r++) {
            clicks += labels[r];
        }
        return to > from ? clicks / (to - from) : Double.NaN;
    }

    /**
     * Mean and standard deviation of each numeric column over rows {@code [from, to)}, missing (NaN) values left
     * out; a column without values or without spread gets mean 0 and deviation 1.
     */
    public float[][] numericStatistics(int from, int to) {
        Moments m = numericMoments(from, to);
        int nw = layout.numericWidth();
        float[] mean = new float[nw];
        float[] std = new float[nw];
        for (int f = 0; f < nw; f++) {
            double var = m.count[f] < 2 ? 0 : m.m2[f] / (m.count[f] - 1);
            mean[f] = (float) m.mean[f];
            std[f] = var > 1e-12 ? (float) Math.sqrt(var) : 1f;
        }
        return new float[][] {mean, std};
    }

    /** Per numeric feature: present values, their mean and their sum of squared deviations (M2). */
    public record Moments(double[] count, double[] mean, double[] m2) {}

    /** The {@link Moments} of each numeric feature over rows {@code [from, to)}, NaNs (missing) left out. */
    public Moments numericMoments(int from, int to) {
        int nw = layout.numericWidth();
        double[] count = new double[nw];
        double[] mean = new double[nw];
        double[] m2 = new double[nw];
        for (int f = 0; f < nw; f++) {
            double sum = 0;
            long n = 0;
            for (int r = from; r < to; r++) {
                float x = numeric[r * nw + f];
                if (!Float.isNaN(x)) {
                    sum += x;
                    n++;
                }
            }
            double m = n == 0 ? 0 : sum / n;
            double squares = 0;
            for (int r = from; r < to; r++) {
                float x = numeric[r * nw + f];
                if (!Float.isNaN(x)) {
                    squares += (x - m) * (x - m);
                }
            }
            count[f] = n;
            mean[f] = m;
            m2[f] = squares;
        }
        return new Moments(count, mean, m2);
    }

    /** The user id of row {@code r}. */
    public String userId(int r) {
        return userIds[users[r]];
    }

    /** Index of the first row at or after {@code time} (rows are in time order). */
    public int firstRowAtOrAfter(long time) {
        int lo = 0;
        int hi = rows;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (timestamps[mid] < time) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}

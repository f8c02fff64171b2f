package dev.transflow.model.feature;

import dev.transflow.schemas.Domain;

/**
 * Samples of one domain as flat primitive arrays, ready to be sliced into batches without per-value boxing.
 * Row {@code r}'s categorical indices are {@code categorical[r * layout.categoricalWidth() ...]}, absolute rows of
 * the schema's shared embedding table; sequences are item-table rows, padded, with their lengths.
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
        int seq = layout.sequenceLength();
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

package dev.transflow.model.feature;

import java.util.Arrays;

/**
 * One labeled interaction of the generic CSV format. Feature values are held by column position in the
 * {@link CsvLayout} (no per-value boxing): a missing categorical value is {@code null}, a missing numeric one NaN.
 */
public final class InteractionRow {

    private final CsvLayout layout;
    private final long timestamp;
    private final String userId;
    private final String itemId;
    private final int label;
    private final String[] categorical;
    private final double[] numeric;
    private final long line;

    public InteractionRow(CsvLayout layout, long timestamp, String userId, String itemId, int label,
            String[] categorical, double[] numeric, long line) {
        if (categorical.length != layout.categorical().size() || numeric.length != layout.numeric().size()) {
            throw new IllegalArgumentException("Feature values do not match the layout's columns");
        }
        this.layout = layout;
        this.timestamp = timestamp;
        this.userId = userId;
        this.itemId = itemId;
        this.label = label;
        this.categorical = categorical;
        this.numeric = numeric;
        this.line = line;
    }

    public CsvLayout layout() {
        return layout;
    }

    /** Event time, epoch milliseconds. */
    public long timestamp() {
        return timestamp;
    }

    public String userId() {
        return userId;
    }

    public String itemId() {
        return itemId;
    }

    public int label() {
        return label;
    }

    /** Value of the i-th categorical column of the layout, or null when missing. */
    public String categorical(int i) {
        return categorical[i];
    }

    /** Value of the i-th numeric column of the layout, or NaN when missing. */
    public double numeric(int i) {
        return numeric[i];
    }

    /** Line of the file the row was read from (0 for rows not read from a file). */
    public long line() {
        return line;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof InteractionRow)) {
            return false;
        }
        InteractionRow other = (InteractionRow) o;
        return timestamp == other.timestamp && label == other.label && userId.equals(other.userId)
                && itemId.equals(other.itemId) && layout.header().equals(other.layout.header())
                && Arrays.equals(categorical, other.categorical) && Arrays.equals(numeric, other.numeric);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(timestamp) * 31 + userId.hashCode() * 17 + itemId.hashCode();
    }

    @Override
    public String toString() {
        return "InteractionRow{t=" + timestamp + ", user=" + userId + ", item=" + itemId + ", label=" + label
                + ", categorical=" + Arrays.toString(categorical) + ", numeric=" + Arrays.toString(numeric) + "}";
    }
}

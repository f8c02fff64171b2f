package dev.transflow.model.feature;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/** Writes rows of the generic CSV format (see {@link CsvLayout}); the header is written on construction. */
public final class GenericCsvWriter implements Closeable, Flushable {

    private final Writer out;
    private final CsvLayout layout;
    private final StringBuilder row = new StringBuilder(256);
    private long rows;

    public GenericCsvWriter(Writer out, CsvLayout layout) {
        this.out = out;
        this.layout = layout;
        for (int i = 0; i < layout.header().size(); i++) {
            if (i > 0) {
                row.append(',');
            }
            appendEscaped(layout.header().get(i));
        }
        emit();
    }

    public CsvLayout layout() {
        return layout;
    }

    public long rows() {
        return rows;
    }

    /**
     * Writes one row. Feature values follow the layout's categorical and numeric columns; null and NaN are
     * written as empty cells (missing values).
     */
    public void write(long timestamp, String userId, String itemId, int label, String[] categorical,
            double[] numeric) {
        if (label != 0 && label != 1) {
            throw new IllegalArgumentException("label must be 0 or 1, got " + label);
        }
        String[] cells = new String[layout.columnCount()];
        cells[layout.timestampIndex()] = Long.toString(timestamp);
        cells[layout.userIdIndex()] = userId;
        cells[layout.itemIdIndex()] = itemId;
        cells[layout.labelIndex()] = label == 1 ? "1" : "0";
        for (int i = 0; i < categorical.length; i++) {
            cells[layout.categorical().get(i).csvIndex()] = categorical[i];
        }
        for (int i = 0; i < numeric.length; i++) {
            double value = numeric[i];
            if (Double.isInfinite(value)) {
                throw new IllegalArgumentException(layout.numeric().get(i).header() + " is infinite");
            }
            cells[layout.numeric().get(i).csvIndex()] = Double.isNaN(value) ? null : formatNumber(value);
        }
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                row.append(',');
            }
            if (cells[i] != null) {
                appendEscaped(cells[i]);
            }
        }
        emit();
        rows++;
    }

    static String formatNumber(double value) {
        long whole = (long) value;
        if (whole == value && Math.abs(value) < 1e15) {
            return Long.toString(whole);
        }
        return Double.toString(value);
    }

    private void appendEscaped(String value) {
        boolean quote = false;
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c == ',' || c == '"' || c == '\n' || c == '\r';
        }
        if (!quote) {
            row.append(value);
            return;
        }
        row.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                row.append('"');
            }
            row.append(c);
        }
        row.append('"');
    }

    private void emit() {
        row.append('\n');
        try {
            out.append(row);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write CSV row", e);
        }
        row.setLength(0);
    }

    @Override
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

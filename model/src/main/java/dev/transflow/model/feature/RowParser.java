package dev.transflow.model.feature;

import java.util.List;

/** Validates the cells of one generic CSV row against its {@link CsvLayout} and builds the row. */
public final class RowParser {

    private final CsvLayout layout;
    private final String file;

    public RowParser(CsvLayout layout, String file) {
        this.layout = layout;
        this.file = file;
    }

    public CsvLayout layout() {
        return layout;
    }

    /**
     * @param cells one cell per header column
     * @param line named in the error
     * @throws CsvFormatException naming file, line and column when a cell breaks the contract
     */
    public InteractionRow parse(List<String> cells, long line) {
        if (cells.size() != layout.columnCount()) {
            throw new CsvFormatException(file, line, "the row has " + cells.size() + " fields, the header "
                    + layout.columnCount());
        }
        String ts = cells.get(layout.timestampIndex()).trim();
        long timestamp;
        try {
            timestamp = Long.parseLong(ts);
        } catch (NumberFormatException e) {
            throw new CsvFormatException(file, line, "timestamp '" + ts + "' is not epoch milliseconds (an integer)");
        }
        if (timestamp < 0) {
            throw new CsvFormatException(file, line, "timestamp " + timestamp + " is negative");
        }
        String userId = cells.get(layout.userIdIndex());
        String itemId = cells.get(layout.itemIdIndex());
        if (userId.isEmpty()) {
            throw new CsvFormatException(file, line, "user_id is empty");
        }
        if (itemId.isEmpty()) {
            throw new CsvFormatException(file, line, "item_id is empty");
        }
        String labelText = cells.get(layout.labelIndex()).trim();
        int label;
        if (labelText.equals("0")) {
            label = 0;
        } else if (labelText.equals("1")) {
            label = 1;
        } else {
            throw new CsvFormatException(file, line, "label must be 0 or 1, got '" + labelText + "'");
        }
        List<CsvLayout.FeatureColumn> catColumns = layout.categorical();
        String[] categorical = new String[catColumns.size()];
        for (int i = 0; i < categorical.length; i++) {
            String value = cells.get(catColumns.get(i).csvIndex());
            categorical[i] = value.isEmpty() ? null : value;
        }
        List<CsvLayout.FeatureColumn> numColumns = layout.numeric();
        double[] numeric = new double[numColumns.size()];
        for (int i = 0; i < numeric.length; i++) {
            CsvLayout.FeatureColumn column = numColumns.get(i);
            String value = cells.get(column.csvIndex()).trim();
            if (value.isEmpty()) {
                numeric[i] = Double.NaN;
                continue;
            }
            double parsed;
            try {
                parsed = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new CsvFormatException(file, line, "column " + column.header() + ": '" + value
                        + "' is not a number");
            }
            if (!Double.isFinite(parsed)) {
                throw new CsvFormatException(file, line, "column " + column.header() + ": " + value
                        + " is not finite; leave the cell empty for a missing value");
            }
            numeric[i] = parsed;
        }
        return new InteractionRow(layout, timestamp, userId, itemId, label, categorical, numeric, line);
    }
}

package dev.transflow.model.feature;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The columns of one generic CSV file, parsed from its header.
 *
 * <p>The generic CSV format (a public contract, see the README): a header row; columns {@code timestamp} (epoch
 * milliseconds), {@code user_id}, {@code item_id}, {@code label} (0 or 1) in any order; then any number of feature
 * columns named {@code user.<name>}, {@code shared.<name>} or {@code specific.<name>}. A feature column whose name
 * ends in {@code #num} is numeric, every other one categorical. An empty cell is a missing value.
 */
public final class CsvLayout {

    public static final String TIMESTAMP = "timestamp";
    public static final String USER_ID = "user_id";
    public static final String ITEM_ID = "item_id";
    public static final String LABEL = "label";
    public static final String NUMERIC_SUFFIX = "#num";

    /** One feature column: its group, its name without prefix and suffix, and whether it is numeric. */
    public record FeatureColumn(FeatureGroup group, String name, boolean numeric, int csvIndex) {
        /** The header as written in the file, e.g. {@code specific.price#num}. */
        public String header() {
            return group.prefix() + "." + name + (numeric ? NUMERIC_SUFFIX : "");
        }
    }

    private final List<String> header;
    private final int timestampIndex;
    private final int userIdIndex;
    private final int itemIdIndex;
    private final int labelIndex;
    private final List<FeatureColumn> categorical;
    private final List<FeatureColumn> numeric;

    private CsvLayout(List<String> header, int timestampIndex, int userIdIndex, int itemIdIndex, int labelIndex,
            List<FeatureColumn> categorical, List<FeatureColumn> numeric) {
        this.header = header;
        this.timestampIndex = timestampIndex;
        this.userIdIndex = userIdIndex;
        this.itemIdIndex = itemIdIndex;
        this.labelIndex = labelIndex;
        this.categorical = categorical;
        this.numeric = numeric;
    }

    /**
     * Parses a header row.
     *
     * @param file named in error messages
     * @throws CsvFormatException naming the file and the column when the header breaks the contract
     */
    public static CsvLayout parse(List<String> header, String file) {
        int timestamp = -1;
        int user = -1;
        int item = -1;
        int label = -1;
        List<FeatureColumn> categorical = new ArrayList<>();
        List<FeatureColumn> numeric = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            String column = header.get(i).trim();
            if (i == 0 && column.startsWith("\uFEFF")) {
                column = column.substring(1);
            }
            if (!seen.add(column)) {
                throw new CsvFormatException(file, 1, "column '" + column + "' appears twice in the header");
            }
            switch (column) {
                case TIMESTAMP: timestamp = i; continue;
                case USER_ID: user = i; continue;
                case ITEM_ID: item = i; continue;
                case LABEL: label = i; continue;
                default: break;
            }
            int dot = column.indexOf('.');
            FeatureGroup group = dot > 0 ? FeatureGroup.ofPrefix(column.substring(0, dot)) : null;
            if (group == null) {
                unknown.add(column);
                continue;
            }
            String name = column.substring(dot + 1);
            boolean isNumeric = name.endsWith(NUMERIC_SUFFIX);
            if (isNumeric) {
                name = name.substring(0, name.length() - NUMERIC_SUFFIX.length());
            }
            if (name.isEmpty()) {
                throw new CsvFormatException(file, 1, "column '" + column + "' has no feature name");
            }
            (isNumeric ? numeric : categorical).add(new FeatureColumn(group, name, isNumeric, i));
        }
        List<String> missing = new ArrayList<>();
        if (timestamp < 0) {
            missing.add(TIMESTAMP);
        }
        if (user < 0) {
            missing.add(USER_ID);
        }
        if (item < 0) {
            missing.add(ITEM_ID);
        }
        if (label < 0) {
            missing.add(LABEL);
        }
        if (!missing.isEmpty()) {
            throw new CsvFormatException(file, 1, "the header lacks the required column(s) " + missing
                    + "; found " + header + ". The generic CSV format needs timestamp, user_id, item_id and label.");
        }
        if (!unknown.isEmpty()) {
            throw new CsvFormatException(file, 1, "column '" + unknown.get(0) + "' is neither timestamp, user_id, "
                    + "item_id, label nor a feature named user.<name>, shared.<name> or specific.<name>");
        }
        return new CsvLayout(List.copyOf(header), timestamp, user, item, label,
                Collections.unmodifiableList(categorical), Collections.unmodifiableList(numeric));
    }

    /** Builds the layout of a file about to be written: required columns first, then the given features. */
    public static CsvLayout of(List<FeatureColumn> features) {
        List<String> header = new ArrayList<>(List.of(TIMESTAMP, USER_ID, ITEM_ID, LABEL));
        List<FeatureColumn> categorical = new ArrayList<>();
        List<FeatureColumn> numeric = new ArrayList<>();
        for (FeatureColumn f : features) {
            FeatureColumn placed = new FeatureColumn(f.group(), f.name(), f.numeric(), header.size());
            header.add(placed.header());
            (f.numeric() ? numeric : categorical).add(placed);
        }
        return parse(header, "(layout)");
    }

    public List<String> header() {
        return header;
    }

    public int columnCount() {
        return header.size();
    }

    int timestampIndex() {
        return timestampIndex;
    }

    int userIdIndex() {
        return userIdIndex;
    }

    int itemIdIndex() {
        return itemIdIndex;
    }

    int labelIndex() {
        return labelIndex;
    }

    /** Categorical feature columns in header order; {@link InteractionRow#categorical(int)} follows it. */
    public List<FeatureColumn> categorical() {
        return categorical;
    }

    /** Numeric feature columns in header order; {@link InteractionRow#numeric(int)} follows it. */
    public List<FeatureColumn> numeric() {
        return numeric;
    }
}

package dev.transflow.replay;

import dev.transflow.feature.FeatureNames;
import dev.transflow.model.feature.CsvFormatException;
import dev.transflow.model.feature.CsvLayout;
import dev.transflow.model.feature.CsvLayout.FeatureColumn;
import dev.transflow.model.feature.CsvRecords;
import dev.transflow.model.feature.FeatureGroup;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.model.feature.RowParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads a file of the Tenrec benchmark (QK-video.csv, QK-article.csv) as generic rows.
 *
 * <p>Tenrec rows are in time order but carry no timestamp: row {@code i} of {@code n} gets
 * {@code start + i * span / (n - 1)}, so the source and target files cover the same period. The label is one of the
 * outcome columns ({@code like} by default, as in the MKT paper); the other outcome columns are never features (they
 * would leak the label). Columns map onto feature groups by {@link Options#mapping()}; a column that is not mapped
 * becomes an entity-specific feature of its own name, and {@code hist_<n>} columns are ignored (Transflow builds
 * behaviour sequences from the click stream itself).
 */
public final class TenrecReader {

    /** Outcome columns of Tenrec's QK files. */
    public static final Set<String> OUTCOME_COLUMNS = Set.of("click", "follow", "like", "share", "watching_times");

    /** Where Tenrec's known feature columns go. */
    public static final Map<String, String> DEFAULT_MAPPING = Map.of(
            "gender", "user." + FeatureNames.GENDER,
            "age", "user.age",
            "video_category", "shared." + FeatureNames.CATEGORY);

    /**
     * @param labelColumn the outcome column used as the label
     * @param startTime event time of the first row, epoch ms
     * @param span event time between the first and the last row
     * @param mapping column to generic feature name ({@code group.name}, {@code #num} for numeric), on top of
     *     {@link #DEFAULT_MAPPING}
     * @param excluded columns to drop besides the outcome columns
     */
    public record Options(String labelColumn, long startTime, Duration span, Map<String, String> mapping,
            Set<String> excluded) {
        public Options {
            if (span.isNegative()) {
                throw new IllegalArgumentException("The Tenrec span must not be negative");
            }
        }
    }

    private TenrecReader() {}

    /**
     * Reads every valid row; bad rows go to {@code badRows} with their line number.
     *
     * @throws CsvFormatException when the header lacks a required column or the file has no valid row
     */
    public static List<InteractionRow> read(Path path, Options options, Consumer<CsvFormatException> badRows) {
        String file = path.toString();
        List<String> header = new ArrayList<>();
        List<String[]> records = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        try (CsvRecords csv = new CsvRecords(Files.newBufferedReader(path, StandardCharsets.UTF_8), file)) {
            if (!csv.next(header)) {
                throw new CsvFormatException(file, 1, "the file is empty; a Tenrec file starts with its header");
            }
            List<String> fields = new ArrayList<>();
            while (csv.next(fields)) {
                if (fields.size() == 1 && fields.get(0).isEmpty()) {
                    continue;
                }
                records.add(fields.toArray(new String[0]));
                lines.add(csv.recordLine());
            }
        } catch (NoSuchFileException e) {
            throw new CsvFormatException(file, 0, "no such file");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }

        Map<String, String> mapping = new LinkedHashMap<>(DEFAULT_MAPPING);
        mapping.putAll(options.mapping());
        int user = header.indexOf("user_id");
        int item = header.indexOf("item_id");
        int label = header.indexOf(options.labelColumn());
        List<String> missing = new ArrayList<>();
        if (user < 0) {
            missing.add("user_id");
        }
        if (item < 0) {
            missing.add("item_id");
        }
        if (label < 0) {
            missing.add(options.labelColumn());
        }
        if (!missing.isEmpty()) {
            throw new CsvFormatException(file, 1, "this is not a Tenrec QK file as expected: the header lacks "
                    + missing + "; found " + header + ". Choose the label with --tenrec-label, or use --format "
                    + "generic for files in the generic CSV format.");
        }
        List<FeatureColumn> features = new ArrayList<>();
        List<Integer> featureSource = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            String column = header.get(i);
            if (i == user || i == item || i == label || OUTCOME_COLUMNS.contains(column)
                    || options.excluded().contains(column) || column.matches("hist_\\d+")) {
                continue;
            }
            features.add(featureColumn(mapping.getOrDefault(column, "specific." + column), column, file));
            featureSource.add(i);
        }
        for (String mapped : options.mapping().keySet()) {
            if (!header.contains(mapped)) {
                throw new CsvFormatException(file, 1, "--map names column '" + mapped + "', which the header "
                        + header + " does not have");
            }
        }
        CsvLayout layout = CsvLayout.of(features);
        RowParser parser = new RowParser(layout, file);

        int n = records.size();
        double spacing = n > 1 ? (double) options.span().toMillis() / (n - 1) : 0;
        List<InteractionRow> rows = new ArrayList<>(n);
        List<String> cells = new ArrayList<>(layout.columnCount());
        for (int r = 0; r < n; r++) {
            String[] record = records.get(r);
            long line = lines.get(r);
            if (record.length != header.size()) {
                badRows.accept(new CsvFormatException(file, line, "the row has " + record.length
                        + " fields, the header " + header.size()));
                continue;
            }
            cells.clear();
            cells.add(Long.toString(options.startTime() + Math.round(r * spacing)));
            cells.add(record[user]);
            cells.add(record[item]);
            cells.add(record[label].trim());
            for (int source : featureSource) {
                cells.add(record[source]);
            }
            try {
                rows.add(parser.parse(cells, line));
            } catch (CsvFormatException e) {
                badRows.accept(e);
            }
        }
        if (rows.isEmpty()) {
            throw new CsvFormatException(file, Math.max(1, n + 1), "the file has no valid row");
        }
        return rows;
    }

    private static FeatureColumn featureColumn(String target, String column, String file) {
        int dot = target.indexOf('.');
        FeatureGroup group = dot > 0 ? FeatureGroup.ofPrefix(target.substring(0, dot)) : null;
        String name = dot > 0 ? target.substring(dot + 1) : "";
        boolean numeric = name.endsWith(CsvLayout.NUMERIC_SUFFIX);
        if (numeric) {
            name = name.substring(0, name.length() - CsvLayout.NUMERIC_SUFFIX.length());
        }
        if (group == null || name.isEmpty()) {
            throw new CsvFormatException(file, 1, "column '" + column + "' maps to '" + target + "', which is not "
                    + "of the form user.<name>, shared.<name> or specific.<name> (add #num for numeric)");
        }
        return new FeatureColumn(group, name, numeric, -1);
    }
}

package dev.transflow.model.feature;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a file of the generic CSV format (see {@link CsvLayout}) row by row, validating each row.
 *
 * <p>Quoting follows RFC 4180 (double quotes, {@code ""} inside them, quoted commas and line breaks). A row that
 * breaks the contract is never silently skipped: it goes to the bad-row handler, which may count and report it
 * ({@link #open(Path, Consumer)}) or throw to stop reading ({@link #FAIL}).
 */
public final class GenericCsvReader implements Closeable {

    /** Bad-row handler that stops reading at the first bad row. */
    public static final Consumer<CsvFormatException> FAIL = e -> {
        throw e;
    };

    private final CsvRecords records;
    private final String file;
    private final RowParser parser;
    private final Consumer<CsvFormatException> onBadRow;
    private final List<String> fields = new ArrayList<>();
    private long validRows;
    private long badRows;

    private GenericCsvReader(BufferedReader in, String file, Consumer<CsvFormatException> onBadRow) {
        this.records = new CsvRecords(in, file);
        this.file = file;
        this.onBadRow = onBadRow;
        if (!records.next(fields)) {
            throw new CsvFormatException(file, 1, "the file is empty; the generic CSV format needs a header row");
        }
        this.parser = new RowParser(CsvLayout.parse(new ArrayList<>(fields), file), file);
    }

    /** Opens {@code file}; bad rows go to {@code onBadRow}. */
    public static GenericCsvReader open(Path file, Consumer<CsvFormatException> onBadRow) {
        try {
            return new GenericCsvReader(Files.newBufferedReader(file, StandardCharsets.UTF_8), file.toString(),
                    onBadRow);
        } catch (NoSuchFileException e) {
            throw new CsvFormatException(file.toString(), 0, "no such file");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    /** Reads from {@code reader}, naming it {@code name} in messages. */
    public static GenericCsvReader open(Reader reader, String name, Consumer<CsvFormatException> onBadRow) {
        return new GenericCsvReader(new BufferedReader(reader), name, onBadRow);
    }

    /**
     * Reads every valid row of {@code file}.
     *
     * @throws CsvFormatException when the file has no valid row
     */
    public static List<InteractionRow> readAll(Path file, Consumer<CsvFormatException> onBadRow) {
        try (GenericCsvReader reader = open(file, onBadRow)) {
            List<InteractionRow> rows = new ArrayList<>();
            for (InteractionRow row = reader.next(); row != null; row = reader.next()) {
                rows.add(row);
            }
            if (rows.isEmpty()) {
                throw new CsvFormatException(file.toString(), reader.records.recordLine(), "the file has no valid row ("
                        + reader.badRows + " bad)");
            }
            return rows;
        }
    }

    public CsvLayout layout() {
        return parser.layout();
    }

    public String file() {
        return file;
    }

    public long validRows() {
        return validRows;
    }

    public long badRows() {
        return badRows;
    }

    /** The next valid row, or null at the end of the file. */
    public InteractionRow next() {
        while (records.next(fields)) {
            if (fields.size() == 1 && fields.get(0).isEmpty()) {
                continue; // blank line
            }
            try {
                InteractionRow row = parser.parse(fields, records.recordLine());
                validRows++;
                return row;
            } catch (CsvFormatException e) {
                badRows++;
                onBadRow.accept(e);
            }
        }
        return null;
    }

    @Override
    public void close() {
        records.close();
    }
}

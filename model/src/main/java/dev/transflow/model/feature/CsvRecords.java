package dev.transflow.model.feature;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Splits CSV text into records (RFC 4180: double quotes, {@code ""} inside them, quoted commas and line breaks),
 * tracking the line each record starts on.
 */
public final class CsvRecords implements Closeable {

    private final BufferedReader in;
    private final String name;
    private final StringBuilder field = new StringBuilder();
    private long line;
    private long recordLine;

    public CsvRecords(BufferedReader in, String name) {
        this.in = in;
        this.name = name;
    }

    /** 1-based line on which the last record returned by {@link #next} starts. */
    public long recordLine() {
        return recordLine;
    }

    /** Reads the next record into {@code fields} (cleared first); false at the end of input. */
    public boolean next(List<String> fields) {
        fields.clear();
        field.setLength(0);
        try {
            String text = in.readLine();
            if (text == null) {
                return false;
            }
            line++;
            recordLine = line;
            boolean quoted = false;
            boolean wasQuoted = false;
            while (true) {
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (quoted) {
                        if (c == '"') {
                            if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                                field.append('"');
                                i++;
                            } else {
                                quoted = false;
                            }
                        } else {
                            field.append(c);
                        }
                    } else if (c == ',') {
                        fields.add(field.toString());
                        field.setLength(0);
                        wasQuoted = false;
                    } else if (c == '"' && field.length() == 0 && !wasQuoted) {
                        quoted = true;
                        wasQuoted = true;
                    } else if (c != '\r' || i != text.length() - 1) {
                        field.append(c);
                    }
                }
                if (!quoted) {
                    break;
                }
                String next = in.readLine();
                if (next == null) {
                    break; // unterminated quote: the caller's field count check reports the record
                }
                line++;
                field.append('\n');
                text = next;
            }
            fields.add(field.toString());
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + name + " at line " + line, e);
        }
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

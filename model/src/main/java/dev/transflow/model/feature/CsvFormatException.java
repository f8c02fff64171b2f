package dev.transflow.model.feature;

/** A CSV file or row that breaks the generic CSV contract; the message names the file, the line and the column. */
public final class CsvFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final long line;
    private final String problem;

    public CsvFormatException(String file, long line, String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    public String file() {
        return file;
    }

    /** 1-based line number of the row (the header is line 1). */
    public long line() {
        return line;
    }

    /** The problem without the location. */
    public String problem() {
        return problem;
    }
}

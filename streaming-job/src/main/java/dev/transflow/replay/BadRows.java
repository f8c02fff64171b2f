package dev.transflow.replay;

import dev.transflow.model.feature.CsvFormatException;

import java.io.PrintWriter;
import java.util.function.Consumer;

/** Reports bad rows with file and line as they are found, and counts them; past a limit it only counts. */
public final class BadRows implements Consumer<CsvFormatException> {

    private final PrintWriter err;
    private final int printLimit;
    private long count;

    public BadRows(PrintWriter err, int printLimit) {
        this.err = err;
        this.printLimit = printLimit;
    }

    @Override
    public void accept(CsvFormatException e) {
        count++;
        if (count <= printLimit) {
            err.println("bad row: " + e.getMessage());
        } else if (count == printLimit + 1) {
            err.println("bad row: (further bad rows are counted, not printed)");
        }
        err.flush();
    }

    public long count() {
        return count;
    }
}

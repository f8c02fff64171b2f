package dev.transflow.model.snapshot;

/** A snapshot that cannot be written or used; the message names the directory or file and the fix. */
public final class SnapshotException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.transflow.source;

/** A decodable record whose content cannot be used (missing id, NaN price, time far in the future, ...). */
public final class InvalidEventException extends Exception {

    private static final long serialVersionUID = 1L;

    public InvalidEventException(String message) {
        super(message);
    }
}

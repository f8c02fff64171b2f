package dev.transflow.schemas.codec;

/** A Kafka payload that is not a readable record of the expected type; {@link #reason()} tells which way. */
public final class EventDecodeException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Distinguishes a payload of another schema from a damaged one, so a dead letter can say which. */
    public enum Reason {
        /** Does not start with the Avro single-object marker: not written by an Avro single-object encoder. */
        NOT_SINGLE_OBJECT,
        /** A valid header whose schema fingerprint no Transflow release knows. */
        UNKNOWN_SCHEMA,
        /** A known Transflow schema, but of another record type than the topic carries. */
        WRONG_TYPE,
        /** The header is fine but the body does not decode with the schema it names. */
        CORRUPT_PAYLOAD
    }

    private final Reason reason;

    EventDecodeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    EventDecodeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

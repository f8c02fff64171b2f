package dev.transflow.source;

import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.schemas.codec.EventDecodeException;
import dev.transflow.topic.SinkOptions;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.types.Either;

import java.io.Serializable;
import java.util.Locale;

/**
 * Decodes and validates raw Kafka records of one event type: each becomes its event or its dead letter, never an
 * exception. A record larger than the size limit ({@link #RECORD_TOO_LARGE}, not decoded), one that does not decode
 * (see {@link EventDecodeException.Reason}) or one that fails {@link EventValidator} ({@link #INVALID_FIELD})
 * becomes a dead letter with the reason and its raw bytes, cut to a bounded size (see {@link DeadLetters}).
 */
public final class RecordDecoder<T extends SpecificRecord> implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Reason code of records that decode but break {@link EventValidator}. */
    public static final String INVALID_FIELD = "INVALID_FIELD";

    /** Reason code of records larger than the size limit; they are not decoded. */
    public static final String RECORD_TOO_LARGE = "RECORD_TOO_LARGE";

    /** Wall-clock source, replaceable in tests. */
    public interface Clock extends Serializable {
        long millis();
    }

    private final Class<T> type;
    private final EventCodec<T> codec;
    private final EventValidator validator;
    private final int maxRecordSize;
    private final DeadLetters letters;
    private final Clock clock;

    /** With the default limits of {@link SourceOptions}. */
    public RecordDecoder(Class<T> type, EventValidator validator, Clock clock) {
        this(type, validator, (int) SourceOptions.MAX_RECORD_SIZE.defaultValue().getBytes(),
                new DeadLetters((int) SourceOptions.MAX_DEAD_LETTER_PAYLOAD.defaultValue().getBytes()), clock);
    }

    /**
     * @param maxRecordSize largest value, in bytes, that is decoded; larger ones are dead letters
     * @param letters builds the bounded dead letters
     */
    public RecordDecoder(Class<T> type, EventValidator validator, int maxRecordSize, DeadLetters letters,
            Clock clock) {
        this.type = type;
        this.codec = EventCodec.of(type);
        this.validator = validator;
        this.maxRecordSize = maxRecordSize;
        this.letters = letters;
        this.clock = clock;
    }

    /** The decoder of {@code type} with the {@link SourceOptions} in {@code config}, on the wall clock. */
    public static <T extends SpecificRecord> RecordDecoder<T> of(Class<T> type, Configuration config,
            int maxRecordSize) {
        return new RecordDecoder<>(type, EventValidator.of(config), maxRecordSize, DeadLetters.of(config),
                System::currentTimeMillis);
    }

    public Class<T> type() {
        return type;
    }

    /** The event of {@code raw} (right), or its dead letter (left). */
    public Either<DeadLetter, T> decode(RawRecord raw) {
        if (raw.value != null && raw.value.length > maxRecordSize) {
            // Checked before decoding: whatever derives from a record (a sample) must still fit the sinks.
            return deadLetter(raw, RECORD_TOO_LARGE, String.format(Locale.ROOT, "Value of %d bytes exceeds the %d "
                    + "bytes accepted for a %s (%s; for samples %s); the producer must send smaller records, or the "
                    + "limit be raised", raw.value.length, maxRecordSize, codec.type().recordName(),
                    SourceOptions.MAX_RECORD_SIZE.key(), SinkOptions.MAX_REQUEST_SIZE.key()));
        }
        T event;
        try {
            event = codec.decode(raw.value);
        } catch (EventDecodeException e) {
            return deadLetter(raw, e.reason().name(), e.getMessage());
        }
        try {
            validator.validate(event, clock.millis());
        } catch (InvalidEventException e) {
            return deadLetter(raw, INVALID_FIELD, e.getMessage());
        }
        return Either.Right(event);
    }

    private Either<DeadLetter, T> deadLetter(RawRecord raw, String code, String reason) {
        return Either.Left(letters.of(raw, code, reason, "decode", clock.millis()));
    }
}

package dev.transflow.schemas.codec;

import dev.transflow.schemas.codec.EventDecodeException.Reason;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Avro single-object encoding of one Transflow record type: marker {@code C3 01}, the 8-byte little-endian
 * CRC-64-AVRO fingerprint of the writer schema, then the Avro binary body.
 *
 * <p>Decoding accepts every released version of the type (see {@link SchemaHistory}) and resolves it into the
 * current schema. Failures are classified so that "another schema" and "corrupt bytes" are told apart. Lengths in
 * the body are bounded by the payload ({@link BoundedBinaryDecoder}), so what decoding allocates grows with the
 * payload's size, never with the lengths it claims.
 *
 * <p>Instances are serializable (only the type travels) and not thread-safe: give each thread its own.
 */
public final class EventCodec<T extends SpecificRecord> implements Serializable {

    private static final long serialVersionUID = 1L;

    static final byte MARKER_0 = (byte) 0xC3;
    static final byte MARKER_1 = (byte) 0x01;
    static final int HEADER_LENGTH = 10;

    private final EventType type;

    private transient Map<Long, Writer<T>> writersByFingerprint;
    private transient SpecificDatumWriter<T> datumWriter;
    private transient byte[] currentHeader;
    private transient ByteArrayOutputStream buffer;
    private transient BinaryEncoder encoder;
    private transient BoundedBinaryDecoder decoder;

    private EventCodec(EventType type) {
        this.type = type;
    }

    public static <T extends SpecificRecord> EventCodec<T> of(Class<T> recordClass) {
        return new EventCodec<>(EventType.of(recordClass));
    }

    public EventType type() {
        return type;
    }

    public byte[] encode(T record) {
        init();
        buffer.reset();
        buffer.writeBytes(currentHeader);
        try {
            encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
            datumWriter.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode " + type.recordName(), e);
        } catch (RuntimeException e) {
            // Avro reports a null in a non-null field as NullPointerException; say which record failed.
            throw new IllegalArgumentException("Cannot encode " + type.recordName() + ": " + e.getMessage(), e);
        }
        return buffer.toByteArray();
    }

    public T decode(byte[] payload) throws EventDecodeException {
        init();
        if (payload == null) {
            throw new EventDecodeException(Reason.NOT_SINGLE_OBJECT,
                    "Payload is null (a tombstone?); expected an Avro single-object " + type.recordName());
        }
        if (payload.length < HEADER_LENGTH || payload[0] != MARKER_0 || payload[1] != MARKER_1) {
            throw new EventDecodeException(Reason.NOT_SINGLE_OBJECT, String.format(Locale.ROOT,
                    "Payload of %d bytes starting %s is not Avro single-object encoded (expected marker C3 01 and an "
                            + "8-byte schema fingerprint); the producer must write %s with Transflow's EventCodec or "
                            + "any Avro single-object encoder",
                    payload.length, hexPrefix(payload), type.recordName()));
        }
        long fingerprint = readFingerprint(payload);
        Writer<T> writer = writersByFingerprint.get(fingerprint);
        if (writer == null) {
            throw unknownFingerprint(fingerprint);
        }
        decoder.reset(payload, HEADER_LENGTH, payload.length - HEADER_LENGTH);
        T record;
        try {
            record = writer.reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new EventDecodeException(Reason.CORRUPT_PAYLOAD, String.format(Locale.ROOT,
                    "Body of %d bytes does not decode as %s v%d: %s", payload.length - HEADER_LENGTH,
                    type.recordName(), writer.version, describe(e)), e);
        }
        if (!decoder.isEnd()) {
            throw new EventDecodeException(Reason.CORRUPT_PAYLOAD, String.format(Locale.ROOT,
                    "%s v%d decoded but trailing bytes remain after it; the payload is damaged or concatenated",
                    type.recordName(), writer.version));
        }
        return record;
    }

    /** The decoder's own messages say what is wrong where; Avro's runtime exceptions need their class name. */
    private static String describe(Exception e) {
        return e instanceof IOException && e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private EventDecodeException unknownFingerprint(long fingerprint) {
        Optional<SchemaHistory.Release> other = SchemaHistory.release(fingerprint);
        if (other.isPresent()) {
            return new EventDecodeException(Reason.WRONG_TYPE, String.format(Locale.ROOT,
                    "Payload is a %s (schema v%d), expected %s; check which topic the producer writes to",
                    other.get().type().recordName(), other.get().version(), type.recordName()));
        }
        return new EventDecodeException(Reason.UNKNOWN_SCHEMA, String.format(Locale.ROOT,
                "Schema fingerprint %016x is no released version of %s nor of any other Transflow event; the producer "
                        + "uses a schema this build does not know (a newer release, or a foreign schema): upgrade the "
                        + "consumer or fix the producer",
                fingerprint, type.recordName()));
    }

    @SuppressWarnings("unchecked")
    private void init() {
        if (writersByFingerprint != null) {
            return;
        }
        Schema current = type.schema();
        Map<Long, Writer<T>> writers = new HashMap<>();
        Set<Long> seen = new HashSet<>();
        List<Schema> released = SchemaHistory.releasedVersions(type);
        for (int v = released.size(); v >= 1; v--) {
            Schema writerSchema = released.get(v - 1);
            BoundedBinaryDecoder.checkItemsTakeBytes(writerSchema);
            long fp = SchemaNormalization.parsingFingerprint64(writerSchema);
            // Versions that differ only in defaults share a fingerprint; the newest describes the bytes.
            if (seen.add(fp)) {
                writers.put(fp, new Writer<>(v, new SpecificDatumReader<>(writerSchema, current)));
            }
        }
        BoundedBinaryDecoder.checkItemsTakeBytes(current);
        long currentFp = SchemaNormalization.parsingFingerprint64(current);
        writers.putIfAbsent(currentFp, new Writer<>(released.size() + 1, new SpecificDatumReader<>(current, current)));
        writersByFingerprint = writers;
        datumWriter = new SpecificDatumWriter<>(current);
        currentHeader = header(currentFp);
        buffer = new ByteArrayOutputStream(256);
        decoder = new BoundedBinaryDecoder();
    }

    static byte[] header(long fingerprint) {
        byte[] header = new byte[HEADER_LENGTH];
        header[0] = MARKER_0;
        header[1] = MARKER_1;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return header;
    }

    private static long readFingerprint(byte[] payload) {
        long fp = 0;
        for (int i = 0; i < 8; i++) {
            fp |= (payload[2 + i] & 0xFFL) << (8 * i);
        }
        return fp;
    }

    private static String hexPrefix(byte[] payload) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(4, payload.length); i++) {
            hex.append(String.format(Locale.ROOT, "%02X ", payload[i]));
        }
        return hex.length() == 0 ? "(empty)" : hex.toString().trim();
    }

    private static final class Writer<T> {
        final int version;
        final SpecificDatumReader<T> reader;

        Writer(int version, SpecificDatumReader<T> reader) {
            this.version = version;
            this.reader = reader;
        }
    }
}

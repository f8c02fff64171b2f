package dev.transflow.schemas.codec;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.codec.EventDecodeException.Reason;

import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Payloads of a few dozen bytes whose string, bytes, map or array claims {@link #CLAIM} elements: what one corrupt
 * or hostile record can look like. {@link #main} decodes them all and exits 0 only if each is a corrupt payload, so
 * a test can run it in a JVM whose heap is far below the claims.
 */
final class AbsurdLengths {

    /** About 2 * 10^9: below Avro's default limits (~2^31), far above any heap a test has. */
    static final int CLAIM = 2_000_000_000;

    private AbsurdLengths() {}

    /** One damaged payload and the type it claims to be. */
    record Case(String name, Class<? extends SpecificRecord> type, byte[] payload) {}

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // Click starts with a string: its length.
        cases.add(new Case("string length", Click.class, payload(Click.class, e -> e.writeInt(CLAIM))));
        // PostImpression: ids, time, position, profile fields, then user.extra.categorical, a map.
        cases.add(new Case("map count", PostImpression.class, payload(PostImpression.class, e -> {
            e.writeString("i");
            e.writeLong(1L);
            e.writeString("u");
            e.writeString("t");
            e.writeIndex(0);
            e.writeIndex(0);
            e.writeIndex(0);
            e.writeIndex(0);
            e.writeLong(CLAIM);
            // One entry: a map is allocated on its first put.
            e.writeString("k");
            e.writeString("v");
        })));
        // LabeledSample: ids, enums, position, three feature groups of two empty maps each, then an array.
        Encoding sampleUpToHistory = e -> {
            e.writeString("i");
            e.writeEnum(0);
            e.writeEnum(0);
            e.writeString("u");
            e.writeString("t");
            e.writeIndex(0);
            for (int map = 0; map < 6; map++) {
                e.writeLong(0L);
            }
        };
        cases.add(new Case("array count", LabeledSample.class, payload(LabeledSample.class, e -> {
            sampleUpToHistory.write(e);
            e.writeLong(CLAIM);
        })));
        // A negative count announces a block of that many items and its size in bytes.
        cases.add(new Case("array block", LabeledSample.class, payload(LabeledSample.class, e -> {
            sampleUpToHistory.write(e);
            e.writeLong(-CLAIM);
            e.writeLong(64L * CLAIM);
        })));
        // DeadLetter: topic, partition, offset, null timestamp, then the key, a union of null and bytes.
        cases.add(new Case("bytes length", DeadLetter.class, payload(DeadLetter.class, e -> {
            e.writeString("t");
            e.writeInt(0);
            e.writeLong(0L);
            e.writeIndex(0);
            e.writeIndex(1);
            e.writeInt(CLAIM);
        })));
        return cases;
    }

    /** Decodes every case; exits 0 if all are corrupt payloads, 1 if one is not, 2 on OutOfMemoryError. */
    public static void main(String[] args) {
        int status = 0;
        for (Case c : cases()) {
            try {
                EventCodec.of(c.type()).decode(c.payload());
                System.out.println(c.name() + ": decoded, expected a corrupt payload");
                status = Math.max(status, 1);
            } catch (EventDecodeException e) {
                System.out.println(c.name() + ": " + e.reason() + ": " + e.getMessage());
                if (e.reason() != Reason.CORRUPT_PAYLOAD) {
                    status = Math.max(status, 1);
                }
            } catch (OutOfMemoryError e) {
                System.out.println(c.name() + ": " + e);
                status = 2;
            }
        }
        System.exit(status);
    }

    private interface Encoding {
        void write(BinaryEncoder encoder) throws IOException;
    }

    /** The single-object header of {@code type}'s current schema, then whatever {@code body} writes. */
    private static byte[] payload(Class<? extends SpecificRecord> type, Encoding body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(EventCodec.header(SchemaNormalization.parsingFingerprint64(EventType.of(type).schema())));
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            body.write(encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

package dev.transflow.schemas.codec;

import dev.transflow.schemas.LabeledSample;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryData;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * The single-object encoding of a {@link LabeledSample} written in two parts: everything but the label, when the
 * impression arrives, and the label when it is known. An Avro record body is its fields' encodings in schema order,
 * and {@code label}, {@code impressionTime} and {@code labelTime} are the schema's last three fields, so the bytes
 * of a labeled sample are the pending bytes followed by three zig-zag varints. A sample waiting for its label is
 * kept in state as those pending bytes, and leaves the sample join already encoded: nothing decodes and re-encodes
 * it on the way to the {@code samples} topic.
 *
 * <p>The result is byte for byte what {@link EventCodec#encode} writes for the labeled sample. Instances are
 * serializable and not thread-safe.
 */
public final class PendingSampleEncoding implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The fields written at labeling, in schema order; the class refuses a schema where they are not last. */
    static final List<String> LABEL_FIELDS = List.of("label", "impressionTime", "labelTime");

    private static final int MAX_SUFFIX = 5 + 10 + 10;

    static {
        checkLayout(LabeledSample.getClassSchema());
    }

    private final EventCodec<LabeledSample> codec = EventCodec.of(LabeledSample.class);

    /**
     * The pending bytes of {@code sample}: its encoding without the label fields. Sets the sample's label and label
     * time to 0 (they are not part of the result).
     */
    public byte[] pending(LabeledSample sample) {
        sample.setLabel(0);
        sample.setLabelTime(0L);
        byte[] full = codec.encode(sample);
        int suffix = 1 + BinaryData.encodeLong(sample.getImpressionTime(), new byte[10], 0) + 1;
        return Arrays.copyOf(full, full.length - suffix);
    }

    /** The single-object encoding of the labeled sample whose {@link #pending} bytes are {@code pending}. */
    public static byte[] labeled(byte[] pending, int label, long impressionTime, long labelTime) {
        byte[] suffix = new byte[MAX_SUFFIX];
        int n = BinaryData.encodeInt(label, suffix, 0);
        n += BinaryData.encodeLong(impressionTime, suffix, n);
        n += BinaryData.encodeLong(labelTime, suffix, n);
        byte[] out = Arrays.copyOf(pending, pending.length + n);
        System.arraycopy(suffix, 0, out, pending.length, n);
        return out;
    }

    static void checkLayout(Schema schema) {
        List<Schema.Field> fields = schema.getFields();
        int first = fields.size() - LABEL_FIELDS.size();
        List<Schema.Type> types = List.of(Schema.Type.INT, Schema.Type.LONG, Schema.Type.LONG);
        for (int i = 0; i < LABEL_FIELDS.size(); i++) {
            Schema.Field f = first + i >= 0 ? fields.get(first + i) : null;
            if (f == null || !f.name().equals(LABEL_FIELDS.get(i)) || f.schema().getType() != types.get(i)) {
                throw new IllegalStateException(schema.getFullName() + " must end with the fields " + LABEL_FIELDS
                        + " (int, long, long) for the sample join's pending encoding; keep new fields before them");
            }
        }
    }
}

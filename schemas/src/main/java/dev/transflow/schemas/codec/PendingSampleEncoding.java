package dev.transflow.schemas.codec;

import dev.transflow.schemas.ClickedItem;
import dev.transflow.schemas.LabeledSample;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryData;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * The single-object encoding of a {@link LabeledSample}, written in three parts as the sample join learns them: the
 * impression's own fields (where the impression is decoded), the click sequences (when the impression reaches its
 * user's history) and the label. An Avro record body is its fields' encodings in schema order, and the schema ends
 * with {@code clickedProducts, clickedPosts, label, impressionTime, labelTime}, so each part is appended to the
 * previous one's bytes; nothing is decoded and re-encoded on the way.
 *
 * <p>The result is byte for byte what {@link EventCodec#encode} writes for the whole sample. Instances are
 * serializable and not thread-safe.
 */
public final class PendingSampleEncoding implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The fields written after the impression's own, in schema order; a schema where they are not last is refused. */
    static final List<String> TAIL_FIELDS = List.of("clickedProducts", "clickedPosts", "label", "impressionTime",
            "labelTime");
    private static final List<Schema.Type> TAIL_TYPES = List.of(Schema.Type.ARRAY, Schema.Type.ARRAY,
            Schema.Type.INT, Schema.Type.LONG, Schema.Type.LONG);

    static {
        checkLayout(LabeledSample.getClassSchema());
        checkItemLayout(ClickedItem.getClassSchema());
    }

    private final EventCodec<LabeledSample> codec = EventCodec.of(LabeledSample.class);
    private transient ByteArrayOutputStream buffer;
    private transient BinaryEncoder encoder;

    /**
     * The impression part of {@code sample}: single-object header and every field before the click sequences.
     * Clears the sample's sequences and label fields (they are not part of the result).
     */
    public byte[] impression(LabeledSample sample) {
        sample.setClickedProducts(List.of());
        sample.setClickedPosts(List.of());
        sample.setLabel(0);
        sample.setLabelTime(0L);
        byte[] full = codec.encode(sample);
        // Two empty arrays (one 0 byte each), label 0, the impression time, label time 0.
        int tail = 2 + 1 + BinaryData.encodeLong(sample.getImpressionTime(), new byte[10], 0) + 1;
        return Arrays.copyOf(full, full.length - tail);
    }

    /** The impression part followed by the click sequences: everything but the label fields. */
    public byte[] withHistory(byte[] impression, List<ClickedItem> products, List<ClickedItem> posts) {
        if (buffer == null) {
            buffer = new ByteArrayOutputStream(512);
        }
        buffer.reset();
        buffer.writeBytes(impression);
        encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
        try {
            writeArray(products);
            writeArray(posts);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode click sequences", e);
        }
        return buffer.toByteArray();
    }

    private void writeArray(List<ClickedItem> items) throws IOException {
        encoder.writeArrayStart();
        encoder.setItemCount(items.size());
        for (ClickedItem item : items) {
            encoder.startItem();
            // Field by field: Avro's generic writer looks each field up by reflection, for every item of every sample.
            encoder.writeString(item.getItemId());
            if (item.getCategory() == null) {
                encoder.writeIndex(0);
                encoder.writeNull();
            } else {
                encoder.writeIndex(1);
                encoder.writeString(item.getCategory());
            }
            encoder.writeLong(item.getClickTime());
        }
        encoder.writeArrayEnd();
    }

    /** {@link #writeArray} writes items field by field: refuse a ClickedItem schema it does not know. */
    static void checkItemLayout(Schema schema) {
        List<Schema.Field> fields = schema.getFields();
        boolean known = fields.size() == 3
                && fields.get(0).name().equals("itemId") && fields.get(0).schema().getType() == Schema.Type.STRING
                && fields.get(1).name().equals("category")
                && fields.get(1).schema().getType() == Schema.Type.UNION
                && fields.get(1).schema().getTypes().stream().map(Schema::getType).toList()
                        .equals(List.of(Schema.Type.NULL, Schema.Type.STRING))
                && fields.get(2).name().equals("clickTime") && fields.get(2).schema().getType() == Schema.Type.LONG;
        if (!known) {
            throw new IllegalStateException(schema.getFullName() + " changed: PendingSampleEncoding.writeArray "
                    + "writes (itemId: string, category: [null, string], clickTime: long); update it with the schema");
        }
    }

    /** The single-object encoding of the labeled sample whose {@link #withHistory} bytes are {@code pending}. */
    public static byte[] labeled(byte[] pending, int label, long impressionTime, long labelTime) {
        byte[] suffix = new byte[5 + 10 + 10];
        int n = BinaryData.encodeInt(label, suffix, 0);
        n += BinaryData.encodeLong(impressionTime, suffix, n);
        n += BinaryData.encodeLong(labelTime, suffix, n);
        byte[] out = Arrays.copyOf(pending, pending.length + n);
        System.arraycopy(suffix, 0, out, pending.length, n);
        return out;
    }

    static void checkLayout(Schema schema) {
        List<Schema.Field> fields = schema.getFields();
        int first = fields.size() - TAIL_FIELDS.size();
        for (int i = 0; i < TAIL_FIELDS.size(); i++) {
            Schema.Field f = first + i >= 0 ? fields.get(first + i) : null;
            if (f == null || !f.name().equals(TAIL_FIELDS.get(i)) || f.schema().getType() != TAIL_TYPES.get(i)) {
                throw new IllegalStateException(schema.getFullName() + " must end with the fields " + TAIL_FIELDS
                        + " (two arrays, int, long, long) for the sample join's incremental encoding; keep new "
                        + "fields before them");
            }
        }
    }
}

package dev.transflow.schemas.codec;

import org.apache.avro.Schema;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Avro binary decoding of one record held in a byte array, which believes no length the array cannot hold.
 *
 * <p>Why not Avro's {@code BinaryDecoder}: it allocates the length a string or bytes value claims, and readers size
 * arrays by the item count a block claims, before reading them; its only bounds are the JVM-global
 * {@code org.apache.avro.limits.*} properties (about 2^31 by default). A corrupt record of a few dozen bytes then
 * throws {@link OutOfMemoryError}, and a job that restarts on the same offset fails forever. Here the record is in
 * memory, so the true bound is known: a string or bytes value is at most the bytes that remain, and a block has at
 * most one item per remaining byte (every map entry starts with its key's length; {@link #checkItemsTakeBytes}
 * ensures the same of array items). A claim beyond that is an {@link IOException}, so what decoding allocates grows
 * with the payload's size (by the objects per entry for maps of tiny entries), never with what the payload claims.
 *
 * <p>Not thread-safe; {@link #reset} reuses an instance for the next record.
 */
final class BoundedBinaryDecoder extends Decoder {

    private byte[] buf;
    private int pos;
    private int limit;
    private int start;

    /** Decodes {@code length} bytes of {@code bytes} from {@code offset}. */
    BoundedBinaryDecoder reset(byte[] bytes, int offset, int length) {
        this.buf = bytes;
        this.pos = offset;
        this.start = offset;
        this.limit = offset + length;
        return this;
    }

    boolean isEnd() {
        return pos == limit;
    }

    private int remaining() {
        return limit - pos;
    }

    @Override
    public void readNull() {}

    @Override
    public boolean readBoolean() throws IOException {
        int b = next();
        if (b > 1) {
            throw corrupt("a boolean is byte 0 or 1, found %d", b);
        }
        return b == 1;
    }

    @Override
    public int readInt() throws IOException {
        int at = pos;
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = next();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (value >>> 1) ^ -(value & 1);
            }
        }
        throw corrupt(at, "an int takes at most 5 bytes");
    }

    @Override
    public long readLong() throws IOException {
        int at = pos;
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            long b = next();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (value >>> 1) ^ -(value & 1);
            }
        }
        throw corrupt(at, "a long takes at most 10 bytes");
    }

    @Override
    public float readFloat() throws IOException {
        need(4, "a float");
        int bits = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16
                | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    @Override
    public double readDouble() throws IOException {
        need(8, "a double");
        long bits = 0;
        for (int i = 7; i >= 0; i--) {
            bits = bits << 8 | (buf[pos + i] & 0xFF);
        }
        pos += 8;
        return Double.longBitsToDouble(bits);
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = length("a string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        System.arraycopy(buf, pos, result.getBytes(), 0, length);
        pos += length;
        return result;
    }

    @Override
    public String readString() throws IOException {
        int length = length("a string");
        // Malformed UTF-8 becomes U+FFFD, as with Avro's decoder.
        String s = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    @Override
    public void skipString() throws IOException {
        pos += length("a string");
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = length("a bytes value");
        ByteBuffer result;
        if (old != null && length <= old.capacity()) {
            result = old;
            result.clear();
        } else {
            result = ByteBuffer.allocate(length);
        }
        result.put(buf, pos, length).flip();
        pos += length;
        return result;
    }

    @Override
    public void skipBytes() throws IOException {
        pos += length("a bytes value");
    }

    @Override
    public void readFixed(byte[] bytes, int offset, int length) throws IOException {
        need(length, "a fixed value");
        System.arraycopy(buf, pos, bytes, offset, length);
        pos += length;
    }

    @Override
    public void skipFixed(int length) throws IOException {
        need(length, "a fixed value");
        pos += length;
    }

    @Override
    public int readEnum() throws IOException {
        return readInt();
    }

    @Override
    public long readArrayStart() throws IOException {
        return blockCount("an array");
    }

    @Override
    public long arrayNext() throws IOException {
        return blockCount("an array");
    }

    @Override
    public long skipArray() throws IOException {
        return skipBlocks("an array");
    }

    @Override
    public long readMapStart() throws IOException {
        return blockCount("a map");
    }

    @Override
    public long mapNext() throws IOException {
        return blockCount("a map");
    }

    @Override
    public long skipMap() throws IOException {
        return skipBlocks("a map");
    }

    @Override
    public int readIndex() throws IOException {
        return readInt();
    }

    /** Items in the next block; a negative count is followed by the block's size in bytes, which reading ignores. */
    private long blockCount(String what) throws IOException {
        int at = pos;
        long count = readLong();
        if (count < 0) {
            readLong();
            count = -count;
        }
        return checkCount(at, count, what);
    }

    /**
     * Skips the blocks that announce their size; returns the item count of the first block that does not, for the
     * caller to skip item by item (0 at the end), as {@link Decoder#skipArray} specifies.
     */
    private long skipBlocks(String what) throws IOException {
        while (true) {
            int at = pos;
            long count = readLong();
            if (count >= 0) {
                return checkCount(at, count, what);
            }
            checkCount(at, -count, what);
            int sizeAt = pos;
            long size = readLong();
            if (size < 0 || size > remaining()) {
                throw corrupt(sizeAt, "a block of %s claims %d bytes, but %d remain", what, size, remaining());
            }
            pos += (int) size;
        }
    }

    private long checkCount(int at, long count, String what) throws IOException {
        // Long.MIN_VALUE stays negative when negated.
        if (count < 0 || count > remaining()) {
            throw corrupt(at, "a block of %s claims %d items, but %d bytes remain", what, count, remaining());
        }
        return count;
    }

    private int length(String what) throws IOException {
        int at = pos;
        int length = readInt();
        if (length < 0 || length > remaining()) {
            throw corrupt(at, "%s claims %d bytes, but %d remain", what, length, remaining());
        }
        return length;
    }

    private void need(int bytes, String what) throws IOException {
        if (bytes < 0 || bytes > remaining()) {
            throw new EOFException(String.format(Locale.ROOT, "%s at byte %d needs %d bytes, but %d remain", what,
                    pos - start, bytes, remaining()));
        }
    }

    private int next() throws IOException {
        if (pos >= limit) {
            throw new EOFException("The body ends at byte " + (pos - start) + " in the middle of a value");
        }
        return buf[pos++] & 0xFF;
    }

    private IOException corrupt(String format, Object... args) {
        return corrupt(pos - 1, format, args);
    }

    private IOException corrupt(int at, String format, Object... args) {
        return new IOException(String.format(Locale.ROOT, format, args) + " (at byte " + (at - start) + ")");
    }

    /**
     * Fails if an array of {@code schema} could hold items that take no bytes (null, an empty record, a zero-size
     * fixed): a block of a million of those fits in one byte, so counting items by remaining bytes would reject
     * valid records. No Transflow schema has such an array; this keeps it so.
     */
    static void checkItemsTakeBytes(Schema schema) {
        checkItemsTakeBytes(schema, new HashSet<>());
    }

    private static void checkItemsTakeBytes(Schema schema, Set<String> visited) {
        switch (schema.getType()) {
            case RECORD:
                if (visited.add(schema.getFullName())) {
                    schema.getFields().forEach(f -> checkItemsTakeBytes(f.schema(), visited));
                }
                break;
            case ARRAY:
                if (minimumSize(schema.getElementType(), new HashSet<>()) == 0) {
                    throw new IllegalStateException("Schema " + schema + " is an array whose items can encode in no "
                            + "bytes; BoundedBinaryDecoder bounds item counts by the bytes left and would reject it. "
                            + "Give the items a field that always takes bytes (an int, a string).");
                }
                checkItemsTakeBytes(schema.getElementType(), visited);
                break;
            case MAP:
                checkItemsTakeBytes(schema.getValueType(), visited);
                break;
            case UNION:
                schema.getTypes().forEach(t -> checkItemsTakeBytes(t, visited));
                break;
            default:
                break;
        }
    }

    /** The fewest bytes a value of {@code schema} encodes in (0 or more; only "none at all" matters). */
    private static int minimumSize(Schema schema, Set<String> visiting) {
        switch (schema.getType()) {
            case NULL:
                return 0;
            case FIXED:
                return schema.getFixedSize();
            case RECORD:
                if (!visiting.add(schema.getFullName())) {
                    return 1; // recursion passes through a union or an array, each at least a byte
                }
                int size = 0;
                for (Schema.Field f : schema.getFields()) {
                    size += minimumSize(f.schema(), visiting);
                }
                visiting.remove(schema.getFullName());
                return size;
            default:
                // Numbers, booleans, enums, strings, bytes (length), unions (index), arrays and maps (count).
                return 1;
        }
    }
}

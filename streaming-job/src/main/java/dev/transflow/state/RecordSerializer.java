package dev.transflow.state;

import dev.transflow.schemas.Domain;

import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Base of Transflow's hand-written state serializers: stateless singletons of mutable records that are never
 * reused, with the field codings they share.
 */
public abstract class RecordSerializer<T> extends TypeSerializerSingleton<T> {

    private static final long serialVersionUID = 1L;

    private static final Domain[] DOMAINS = Domain.values();

    @Override
    public final boolean isImmutableType() {
        return false;
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public final T deserialize(T reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public final void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    protected static void writeBytes(byte[] bytes, DataOutputView out) throws IOException {
        if (bytes == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    protected static byte[] readBytes(DataInputView in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    protected static void writeDomain(Domain domain, DataOutputView out) throws IOException {
        out.writeByte(domain == null ? -1 : domain.ordinal());
    }

    protected static Domain readDomain(DataInputView in) throws IOException {
        int ordinal = in.readByte();
        return ordinal < 0 ? null : DOMAINS[ordinal];
    }
}

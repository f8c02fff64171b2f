package dev.transflow.join;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.schemas.codec.EventDecodeException;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * The state serializer of {@link JoinState}, read and written for every event of the sample join. Flink's POJO
 * serializer builds each instance by reflection, including an Avro {@link Click} for the (almost always empty)
 * early-click field; this one writes the fields in a fixed order: status, impression time, domain, category,
 * pending bytes, early click (single-object encoded, so a click written under an older schema still reads).
 */
public final class JoinStateSerializer extends TypeSerializerSingleton<JoinState> {

    private static final long serialVersionUID = 1L;

    public static final JoinStateSerializer INSTANCE = new JoinStateSerializer();

    private static final Domain[] DOMAINS = Domain.values();

    // The serializer is shared by the threads of a task manager; the codec is not thread-safe.
    private static final ThreadLocal<EventCodec<Click>> CLICKS =
            ThreadLocal.withInitial(() -> EventCodec.of(Click.class));

    private JoinStateSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public JoinState createInstance() {
        return new JoinState();
    }

    @Override
    public JoinState copy(JoinState from) {
        JoinState to = new JoinState();
        to.status = from.status;
        to.impressionTime = from.impressionTime;
        to.domain = from.domain;
        to.category = from.category;
        to.pending = from.pending == null ? null : from.pending.clone();
        to.earlyClick = from.earlyClick == null ? null : Click.newBuilder(from.earlyClick).build();
        return to;
    }

    @Override
    public JoinState copy(JoinState from, JoinState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(JoinState s, DataOutputView out) throws IOException {
        out.writeByte(s.status);
        out.writeLong(s.impressionTime);
        out.writeByte(s.domain == null ? -1 : s.domain.ordinal());
        StringSerializer.INSTANCE.serialize(s.category, out);
        writeBytes(s.pending, out);
        writeBytes(s.earlyClick == null ? null : CLICKS.get().encode(s.earlyClick), out);
    }

    @Override
    public JoinState deserialize(DataInputView in) throws IOException {
        JoinState s = new JoinState();
        s.status = in.readByte();
        s.impressionTime = in.readLong();
        int domain = in.readByte();
        s.domain = domain < 0 ? null : DOMAINS[domain];
        s.category = StringSerializer.INSTANCE.deserialize(in);
        s.pending = readBytes(in);
        byte[] click = readBytes(in);
        if (click != null) {
            try {
                s.earlyClick = CLICKS.get().decode(click);
            } catch (EventDecodeException e) {
                throw new IOException("A click stored in the sample join's state does not decode: " + e.getMessage(),
                        e);
            }
        }
        return s;
    }

    @Override
    public JoinState deserialize(JoinState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    private static void writeBytes(byte[] bytes, DataOutputView out) throws IOException {
        if (bytes == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    private static byte[] readBytes(DataInputView in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    @Override
    public TypeSerializerSnapshot<JoinState> snapshotConfiguration() {
        return new JoinStateSerializerSnapshot();
    }

    /** Restores the serializer from a checkpoint; the format has one version so far. */
    public static final class JoinStateSerializerSnapshot extends SimpleTypeSerializerSnapshot<JoinState> {
        public JoinStateSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}

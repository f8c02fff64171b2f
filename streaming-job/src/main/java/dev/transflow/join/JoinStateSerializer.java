package dev.transflow.join;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.schemas.codec.EventDecodeException;
import dev.transflow.state.RecordSerializer;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * The state serializer of {@link JoinState}, read and written for every event of the sample join. Flink's POJO
 * serializer builds each instance by reflection, including an Avro {@link Click} for the (almost always empty)
 * early-click field; this one writes the fields in a fixed order: status, impression time, domain, category,
 * pending bytes, early click (single-object encoded, so a click written under an older schema still reads).
 */
public final class JoinStateSerializer extends RecordSerializer<JoinState> {

    private static final long serialVersionUID = 1L;

    public static final JoinStateSerializer INSTANCE = new JoinStateSerializer();

    // The serializer is shared by the threads of a task manager; the codec is not thread-safe.
    private static final ThreadLocal<EventCodec<Click>> CLICKS =
            ThreadLocal.withInitial(() -> EventCodec.of(Click.class));

    private JoinStateSerializer() {}

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
    public void serialize(JoinState s, DataOutputView out) throws IOException {
        out.writeByte(s.status);
        out.writeLong(s.impressionTime);
        writeDomain(s.domain, out);
        StringSerializer.INSTANCE.serialize(s.category, out);
        writeBytes(s.pending, out);
        writeBytes(s.earlyClick == null ? null : CLICKS.get().encode(s.earlyClick), out);
    }

    @Override
    public JoinState deserialize(DataInputView in) throws IOException {
        JoinState s = new JoinState();
        s.status = in.readByte();
        s.impressionTime = in.readLong();
        s.domain = readDomain(in);
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

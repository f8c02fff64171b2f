package dev.transflow.join;

import dev.transflow.schemas.Domain;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.schemas.codec.EventDecodeException;
import dev.transflow.state.RecordSerializer;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * A labeled sample as the sample join emits it: already in its {@code samples} topic encoding (Avro single
 * object), with the two fields routing needs beside it. The samples sink writes the bytes as they are, and only the
 * trainer decodes them, so the sample is encoded once and crosses the network as a byte array. Serialized by
 * {@link Serializer}.
 */
@TypeInfo(SerializerTypeInfo.ForEncodedSample.class)
public final class EncodedSample {

    /** The Kafka key of the sample, and the key of the join it came from. */
    public String userId;
    public Domain domain;
    /** {@link LabeledSample} in single-object encoding. */
    public byte[] bytes;

    public EncodedSample() {}

    public EncodedSample(String userId, Domain domain, byte[] bytes) {
        this.userId = userId;
        this.domain = domain;
        this.bytes = bytes;
    }

    /** Encodes a whole {@code sample} at once (tests; the join appends to pending bytes instead). */
    public static EncodedSample of(LabeledSample sample, EventCodec<LabeledSample> codec) {
        return new EncodedSample(sample.getUserId(), sample.getDomain(), codec.encode(sample));
    }

    /** The sample; the bytes come from this job's own encoder, so a failure here is a bug, not bad input. */
    public LabeledSample decode(EventCodec<LabeledSample> codec) {
        try {
            return codec.decode(bytes);
        } catch (EventDecodeException e) {
            throw new IllegalStateException("A sample encoded by the sample join does not decode: " + e.getMessage(),
                    e);
        }
    }

    /** Writes user id, domain and bytes. */
    public static final class Serializer extends RecordSerializer<EncodedSample> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        private Serializer() {}

        @Override
        public EncodedSample createInstance() {
            return new EncodedSample();
        }

        @Override
        public EncodedSample copy(EncodedSample from) {
            return new EncodedSample(from.userId, from.domain, from.bytes == null ? null : from.bytes.clone());
        }

        @Override
        public void serialize(EncodedSample record, DataOutputView out) throws IOException {
            StringSerializer.INSTANCE.serialize(record.userId, out);
            writeDomain(record.domain, out);
            writeBytes(record.bytes, out);
        }

        @Override
        public EncodedSample deserialize(DataInputView in) throws IOException {
            return new EncodedSample(StringSerializer.INSTANCE.deserialize(in), readDomain(in), readBytes(in));
        }

        @Override
        public TypeSerializerSnapshot<EncodedSample> snapshotConfiguration() {
            return new SerializerSnapshot();
        }
    }

    /** The format has one version so far. */
    public static final class SerializerSnapshot extends SimpleTypeSerializerSnapshot<EncodedSample> {
        public SerializerSnapshot() {
            super(() -> Serializer.INSTANCE);
        }
    }
}

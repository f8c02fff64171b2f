package dev.transflow.join;

import dev.transflow.feature.FeatureNames;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.codec.PendingSampleEncoding;
import dev.transflow.state.RecordSerializer;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * An impression on its way to the sample join: its sample's own fields already encoded
 * ({@link PendingSampleEncoding#impression}), with the few fields the join reads beside them. Encoding where the
 * impression is decoded means the join appends history and label to bytes and never decodes the impression.
 * Serialized by {@link Serializer}.
 */
@TypeInfo(SerializerTypeInfo.ForEncodedImpression.class)
public final class EncodedImpression {

    public String userId;
    public String impressionId;
    public Domain domain;
    public long impressionTime;
    /** Category of the impressed item, for the history entries of its clicks; null when the event has none. */
    public String category;
    /** The sample's fields before the click sequences, single-object header included. */
    public byte[] bytes;

    public EncodedImpression() {}

    /** Encodes the unlabeled {@code sample} (clearing its sequences and label fields). */
    public static EncodedImpression of(LabeledSample sample, PendingSampleEncoding encoding) {
        EncodedImpression e = new EncodedImpression();
        e.userId = sample.getUserId();
        e.impressionId = sample.getImpressionId();
        e.domain = sample.getDomain();
        e.impressionTime = sample.getImpressionTime();
        e.category = sample.getShared().getCategorical().get(FeatureNames.CATEGORY);
        e.bytes = encoding.impression(sample);
        return e;
    }

    /** Writes the fields in declaration order. */
    public static final class Serializer extends RecordSerializer<EncodedImpression> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        private Serializer() {}

        @Override
        public EncodedImpression createInstance() {
            return new EncodedImpression();
        }

        @Override
        public EncodedImpression copy(EncodedImpression from) {
            EncodedImpression e = new EncodedImpression();
            e.userId = from.userId;
            e.impressionId = from.impressionId;
            e.domain = from.domain;
            e.impressionTime = from.impressionTime;
            e.category = from.category;
            e.bytes = from.bytes == null ? null : from.bytes.clone();
            return e;
        }

        @Override
        public void serialize(EncodedImpression e, DataOutputView out) throws IOException {
            StringSerializer.INSTANCE.serialize(e.userId, out);
            StringSerializer.INSTANCE.serialize(e.impressionId, out);
            writeDomain(e.domain, out);
            out.writeLong(e.impressionTime);
            StringSerializer.INSTANCE.serialize(e.category, out);
            writeBytes(e.bytes, out);
        }

        @Override
        public EncodedImpression deserialize(DataInputView in) throws IOException {
            EncodedImpression e = new EncodedImpression();
            e.userId = StringSerializer.INSTANCE.deserialize(in);
            e.impressionId = StringSerializer.INSTANCE.deserialize(in);
            e.domain = readDomain(in);
            e.impressionTime = in.readLong();
            e.category = StringSerializer.INSTANCE.deserialize(in);
            e.bytes = readBytes(in);
            return e;
        }

        @Override
        public TypeSerializerSnapshot<EncodedImpression> snapshotConfiguration() {
            return new SerializerSnapshot();
        }
    }

    /** The format has one version so far. */
    public static final class SerializerSnapshot extends SimpleTypeSerializerSnapshot<EncodedImpression> {
        public SerializerSnapshot() {
            super(() -> Serializer.INSTANCE);
        }
    }
}

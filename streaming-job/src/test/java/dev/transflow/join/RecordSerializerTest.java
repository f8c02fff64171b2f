package dev.transflow.join;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.EntityType;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecordSerializerTest {

    private static <T> T roundTrip(T record, TypeSerializer<T> serializer) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(record, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        T read = serializer.deserialize(in);
        assertThat(in.available()).as("every byte read").isZero();
        assertThat(serializer.copy(record)).usingRecursiveComparison().isEqualTo(record);
        return read;
    }

    private static JoinState roundTrip(JoinState s) throws Exception {
        return roundTrip(s, JoinStateSerializer.INSTANCE);
    }

    @Test
    void everyFieldSurvives() throws Exception {
        JoinState open = new JoinState();
        open.status = JoinState.OPEN;
        open.impressionTime = 1_795_454_164_042L;
        open.domain = Domain.TARGET;
        open.category = "cat-ü";
        open.pending = new byte[] {(byte) 0xC3, 1, 2, 3};
        assertThat(roundTrip(open)).usingRecursiveComparison().isEqualTo(open);

        JoinState waiting = new JoinState();
        waiting.earlyClick = new Click("i1", "u1", "t1", EntityType.POST, 42L);
        assertThat(roundTrip(waiting)).usingRecursiveComparison().isEqualTo(waiting);

        JoinState copy = JoinStateSerializer.INSTANCE.copy(open);
        assertThat(copy).usingRecursiveComparison().isEqualTo(open);
        assertThat(copy.pending).isNotSameAs(open.pending);
    }

    @Test
    void theJoinsRecordTypesUseTheirSerializers() throws Exception {
        assertThat(TypeInformation.of(EncodedSample.class).createSerializer(new SerializerConfigImpl()))
                .isSameAs(EncodedSample.Serializer.INSTANCE);
        assertThat(TypeInformation.of(EncodedImpression.class).createSerializer(new SerializerConfigImpl()))
                .isSameAs(EncodedImpression.Serializer.INSTANCE);

        EncodedSample sample = new EncodedSample("u-7", Domain.SOURCE, new byte[] {1, 2, 3});
        assertThat(roundTrip(sample, EncodedSample.Serializer.INSTANCE)).usingRecursiveComparison().isEqualTo(sample);

        EncodedImpression impression = new EncodedImpression();
        impression.userId = "u-7";
        impression.impressionId = "imp-1";
        impression.domain = Domain.TARGET;
        impression.impressionTime = 123_456L;
        impression.bytes = new byte[] {9};
        assertThat(roundTrip(impression, EncodedImpression.Serializer.INSTANCE)).usingRecursiveComparison()
                .isEqualTo(impression);
        impression.category = "c1";
        assertThat(roundTrip(impression, EncodedImpression.Serializer.INSTANCE).category).isEqualTo("c1");
    }
}

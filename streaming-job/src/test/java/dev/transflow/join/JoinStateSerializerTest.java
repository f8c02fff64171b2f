package dev.transflow.join;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.EntityType;

import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JoinStateSerializerTest {

    private static JoinState roundTrip(JoinState s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        JoinStateSerializer.INSTANCE.serialize(s, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        JoinState read = JoinStateSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).as("every byte read").isZero();
        return read;
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
}

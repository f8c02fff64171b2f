package dev.transflow.state;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a format version in a checkpoint decides: the serializer that reads it, and whether state migrates. */
class VersionedSerializerSnapshotTest {

    /** Reads format 1 and writes format 2, which this build also reads. */
    private static final TypeSerializer<String> FORMAT_1 = new StringSerializer();
    private static final TypeSerializer<String> FORMAT_2 = new StringSerializer();

    /** A serializer snapshot in its second format. */
    public static final class SecondFormat extends VersionedSerializerSnapshot<String> {
        public SecondFormat() {
            super(2, format -> format == 1 ? FORMAT_1 : FORMAT_2);
        }
    }

    private static SecondFormat restoredFrom(int format) throws IOException {
        SecondFormat snapshot = new SecondFormat();
        snapshot.readSnapshot(format, new DataInputDeserializer(new byte[0]),
                VersionedSerializerSnapshotTest.class.getClassLoader());
        return snapshot;
    }

    @Test
    void theCurrentFormatIsReadAsItIs() throws Exception {
        SecondFormat old = restoredFrom(2);

        assertThat(old.formatVersion()).isEqualTo(2);
        assertThat(old.restoreSerializer()).isSameAs(FORMAT_2);
        assertThat(new SecondFormat().resolveSchemaCompatibility(old).isCompatibleAsIs()).isTrue();
    }

    @Test
    void anOlderFormatIsReadWithItsOwnSerializerAndMigrated() throws Exception {
        SecondFormat old = restoredFrom(1);

        assertThat(old.formatVersion()).isEqualTo(1);
        assertThat(old.restoreSerializer()).isSameAs(FORMAT_1);
        assertThat(new SecondFormat().resolveSchemaCompatibility(old).isCompatibleAfterMigration()).isTrue();
    }

    @Test
    void theVersionTravelsWithTheClassNameAndNothingElse() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, new SecondFormat());
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertThat(in.readUTF()).isEqualTo(SecondFormat.class.getName());
        assertThat(in.readInt()).isEqualTo(2);
        assertThat(in.available()).isZero();
    }

    @Test
    void formatsThisBuildDoesNotKnowAreRefused() {
        assertThatThrownBy(() -> restoredFrom(3)).isInstanceOf(IOException.class)
                .hasMessageContaining("format version 3");
        assertThatThrownBy(() -> restoredFrom(0)).isInstanceOf(IOException.class);
    }

    @Test
    void anotherSerializersSnapshotIsIncompatible() {
        TypeSerializerSchemaCompatibility<String> c = new SecondFormat()
                .resolveSchemaCompatibility(StringSerializer.INSTANCE.snapshotConfiguration());
        assertThat(c.isIncompatible()).isTrue();
    }
}

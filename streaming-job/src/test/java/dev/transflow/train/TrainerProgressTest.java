package dev.transflow.train;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The trainers' named state: its serializer, the format version its snapshot carries, and the legacy arrays. */
class TrainerProgressTest {

    private static final TrainerProgress.Serializer SERIALIZER = TrainerProgress.Serializer.INSTANCE;

    /** Every field with a value of its own, so that two swapped fields show. */
    private static TrainerProgress sample() {
        TrainerProgress p = new TrainerProgress();
        p.trainedSamples = 1_000_001;
        p.steps = 3_907;
        p.publishedVersion = 12;
        p.samplesSincePublish = 4_096;
        p.knowledgeVersion = 7;
        p.knowledgeCreatedAt = 1_795_454_164_042L;
        p.knowledgeSwaps = 5;
        p.knowledgeRejections = 2;
        return p;
    }

    @Test
    void everyFieldSurvivesARoundTrip() throws Exception {
        TrainerProgress p = sample();
        DataOutputSerializer out = new DataOutputSerializer(64);
        SERIALIZER.serialize(p, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());

        TrainerProgress read = SERIALIZER.deserialize(in);

        assertThat(in.available()).as("every byte read").isZero();
        assertThat(read).usingRecursiveComparison().isEqualTo(p);
        assertThat(out.length()).isEqualTo(8 * Long.BYTES);
    }

    @Test
    void aCopyIsIndependentOfItsOriginal() {
        TrainerProgress p = sample();
        TrainerProgress copy = SERIALIZER.copy(p);
        assertThat(copy).isNotSameAs(p).usingRecursiveComparison().isEqualTo(p);

        p.trainedSamples++;
        assertThat(copy.trainedSamples).isEqualTo(sample().trainedSamples);
    }

    @Test
    void aFreshProgressHasNoVersions() {
        TrainerProgress p = SERIALIZER.createInstance();
        assertThat(p.publishedVersion).isEqualTo(-1);
        assertThat(p.knowledgeVersion).isEqualTo(-1);
        assertThat(p.trainedSamples).isZero();
    }

    @Test
    void theSnapshotCarriesTheFormatVersionAndRestoresTheSerializer() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, SERIALIZER.snapshotConfiguration());

        TypeSerializerSnapshot<TrainerProgress> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

        assertThat(read).isInstanceOf(TrainerProgress.Snapshot.class);
        assertThat(((TrainerProgress.Snapshot) read).formatVersion()).isEqualTo(1);
        assertThat(read.getCurrentVersion()).isEqualTo(1);
        assertThat(read.restoreSerializer()).isSameAs(SERIALIZER);
        assertThat(SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(read).isCompatibleAsIs()).isTrue();
    }

    @Test
    void aFormatNewerThanThisBuildFailsTheRestoreByName() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeUTF(TrainerProgress.Snapshot.class.getName());
        out.writeInt(2);

        assertThatThrownBy(() -> TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("format version 2").hasMessageContaining("versions 1 to 1");
    }

    @Test
    void legacyTemArraysMapByIndexAndShortOnesKeepTheInitialValues() {
        TrainerProgress full = LegacyPosition.TEM.toProgress(new long[] {640, 10, 7, 1_700L, 3, 2, 1});
        assertThat(full.trainedSamples).isEqualTo(640);
        assertThat(full.steps).isEqualTo(10);
        assertThat(full.knowledgeVersion).isEqualTo(7);
        assertThat(full.knowledgeCreatedAt).isEqualTo(1_700L);
        assertThat(full.publishedVersion).isEqualTo(3);
        assertThat(full.knowledgeSwaps).isEqualTo(2);
        assertThat(full.knowledgeRejections).isEqualTo(1);
        assertThat(full.samplesSincePublish).isZero();

        // Written before the swap counts existed.
        TrainerProgress shorter = LegacyPosition.TEM.toProgress(new long[] {640, 10, 7, 1_700L, 3});
        assertThat(shorter.publishedVersion).isEqualTo(3);
        assertThat(shorter.knowledgeSwaps).isZero();
        assertThat(shorter.knowledgeRejections).isZero();
    }

    @Test
    void legacyMemArraysMapByIndex() {
        TrainerProgress p = LegacyPosition.MEM.toProgress(new long[] {1_000, 4, 10});
        assertThat(p.trainedSamples).isEqualTo(1_000);
        assertThat(p.publishedVersion).isEqualTo(4);
        assertThat(p.samplesSincePublish).isEqualTo(10);
        assertThat(p.knowledgeVersion).isEqualTo(-1);
        assertThat(p.steps).isZero();
    }
}

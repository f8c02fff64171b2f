package dev.transflow.train;

import dev.transflow.schemas.ModelKind;

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
        TrainerProgress.KnowledgeUse mem = p.knowledge(ModelKind.MEM);
        mem.version = 7;
        mem.createdAt = 1_795_454_164_042L;
        mem.swaps = 5;
        mem.rejections = 2;
        TrainerProgress.KnowledgeUse tpm = p.knowledge(ModelKind.TPM);
        tpm.version = 31;
        tpm.createdAt = 1_795_454_100_000L;
        tpm.swaps = 9;
        tpm.rejections = 1;
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
        assertThat(read.knowledge()).containsOnlyKeys(ModelKind.MEM, ModelKind.TPM);
        assertThat(read.knowledge().get(ModelKind.TPM).version).isEqualTo(31);
        assertThat(read.knowledge().get(ModelKind.MEM).rejections).isEqualTo(2);
    }

    @Test
    void aProgressWithoutKnowledgeWritesNoEntries() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SERIALIZER.serialize(new TrainerProgress(), out);
        assertThat(out.length()).isEqualTo(4 * Long.BYTES + Integer.BYTES);
        assertThat(SERIALIZER.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())).knowledge()).isEmpty();
    }

    @Test
    void formatOneIsReadAsMemKnowledge() throws Exception {
        // Format 1 as the previous build wrote it: eight longs, the last four MEM's.
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (long v : new long[] {640, 10, 3, 0, 7, 1_700L, 2, 1}) {
            out.writeLong(v);
        }
        TrainerProgress tem = TrainerProgress.FormatOne.INSTANCE.deserialize(
                new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(tem.trainedSamples).isEqualTo(640);
        assertThat(tem.steps).isEqualTo(10);
        assertThat(tem.publishedVersion).isEqualTo(3);
        assertThat(tem.knowledge()).containsOnlyKeys(ModelKind.MEM);
        TrainerProgress.KnowledgeUse mem = tem.knowledge().get(ModelKind.MEM);
        assertThat(new long[] {mem.version, mem.createdAt, mem.swaps, mem.rejections})
                .containsExactly(7, 1_700L, 2, 1);

        // A MEM trainer's format 1 left the knowledge fields at their initial values: no entry.
        DataOutputSerializer memTrainer = new DataOutputSerializer(64);
        for (long v : new long[] {1_000, 0, 4, 10, -1, 0, 0, 0}) {
            memTrainer.writeLong(v);
        }
        TrainerProgress mem1 = TrainerProgress.FormatOne.INSTANCE.deserialize(
                new DataInputDeserializer(memTrainer.getCopyOfBuffer()));
        assertThat(mem1.samplesSincePublish).isEqualTo(10);
        assertThat(mem1.knowledge()).isEmpty();
    }

    @Test
    void aRestoreOfFormatOneReadsItWithItsOwnSerializerAndMigrates() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeUTF(TrainerProgress.Snapshot.class.getName());
        out.writeInt(1);
        TypeSerializerSnapshot<TrainerProgress> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

        assertThat(read.restoreSerializer()).isSameAs(TrainerProgress.FormatOne.INSTANCE);
        assertThat(SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(read).isCompatibleAfterMigration())
                .isTrue();
    }

    @Test
    void anUnknownKindOrACorruptCountFailsTheReadByName() throws Exception {
        DataOutputSerializer unknown = new DataOutputSerializer(64);
        for (int i = 0; i < 4; i++) {
            unknown.writeLong(0);
        }
        unknown.writeInt(1);
        unknown.writeUTF("XYZ");
        assertThatThrownBy(() -> SERIALIZER.deserialize(new DataInputDeserializer(unknown.getCopyOfBuffer())))
                .isInstanceOf(IOException.class).hasMessageContaining("'XYZ'");

        DataOutputSerializer corrupt = new DataOutputSerializer(64);
        for (int i = 0; i < 4; i++) {
            corrupt.writeLong(0);
        }
        corrupt.writeInt(1_000_000);
        assertThatThrownBy(() -> SERIALIZER.deserialize(new DataInputDeserializer(corrupt.getCopyOfBuffer())))
                .isInstanceOf(IOException.class).hasMessageContaining("corrupt");
    }

    @Test
    void aCopyIsIndependentOfItsOriginal() {
        TrainerProgress p = sample();
        TrainerProgress copy = SERIALIZER.copy(p);
        assertThat(copy).isNotSameAs(p).usingRecursiveComparison().isEqualTo(p);

        p.trainedSamples++;
        p.knowledge(ModelKind.MEM).version++;
        assertThat(copy.trainedSamples).isEqualTo(sample().trainedSamples);
        assertThat(copy.knowledge().get(ModelKind.MEM).version).isEqualTo(7);
    }

    @Test
    void aFreshProgressHasNoVersions() {
        TrainerProgress p = SERIALIZER.createInstance();
        assertThat(p.publishedVersion).isEqualTo(-1);
        assertThat(p.knowledge()).isEmpty();
        assertThat(p.knowledge(ModelKind.CPM).version).isEqualTo(-1);
        assertThat(p.trainedSamples).isZero();
    }

    @Test
    void theSnapshotCarriesTheFormatVersionAndRestoresTheSerializer() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, SERIALIZER.snapshotConfiguration());

        TypeSerializerSnapshot<TrainerProgress> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

        assertThat(read).isInstanceOf(TrainerProgress.Snapshot.class);
        assertThat(((TrainerProgress.Snapshot) read).formatVersion()).isEqualTo(2);
        assertThat(read.getCurrentVersion()).isEqualTo(2);
        assertThat(read.restoreSerializer()).isSameAs(SERIALIZER);
        assertThat(SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(read).isCompatibleAsIs()).isTrue();
    }

    @Test
    void aFormatNewerThanThisBuildFailsTheRestoreByName() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeUTF(TrainerProgress.Snapshot.class.getName());
        out.writeInt(3);

        assertThatThrownBy(() -> TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("format version 3").hasMessageContaining("versions 1 to 2");
    }

    @Test
    void legacyTemArraysMapByIndexAndShortOnesKeepTheInitialValues() {
        TrainerProgress full = LegacyPosition.TEM.toProgress(new long[] {640, 10, 7, 1_700L, 3, 2, 1});
        assertThat(full.trainedSamples).isEqualTo(640);
        assertThat(full.steps).isEqualTo(10);
        TrainerProgress.KnowledgeUse mem = full.knowledge().get(ModelKind.MEM);
        assertThat(mem.version).isEqualTo(7);
        assertThat(mem.createdAt).isEqualTo(1_700L);
        assertThat(full.publishedVersion).isEqualTo(3);
        assertThat(mem.swaps).isEqualTo(2);
        assertThat(mem.rejections).isEqualTo(1);
        assertThat(full.samplesSincePublish).isZero();

        // Written before the swap counts existed.
        TrainerProgress shorter = LegacyPosition.TEM.toProgress(new long[] {640, 10, 7, 1_700L, 3});
        assertThat(shorter.publishedVersion).isEqualTo(3);
        assertThat(shorter.knowledge().get(ModelKind.MEM).swaps).isZero();
        assertThat(shorter.knowledge().get(ModelKind.MEM).rejections).isZero();
    }

    @Test
    void legacyMemArraysMapByIndex() {
        TrainerProgress p = LegacyPosition.MEM.toProgress(new long[] {1_000, 4, 10});
        assertThat(p.trainedSamples).isEqualTo(1_000);
        assertThat(p.publishedVersion).isEqualTo(4);
        assertThat(p.samplesSincePublish).isEqualTo(10);
        assertThat(p.knowledge()).isEmpty();
        assertThat(p.steps).isZero();
    }
}

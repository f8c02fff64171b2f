package dev.transflow.train;

import dev.transflow.schemas.ModelKind;
import dev.transflow.state.RecordSerializer;
import dev.transflow.state.VersionedSerializerSnapshot;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * How far a continual trainer has come: its counters, the version it published last and, per knowledge kind it
 * reads, the version in use. Checkpointed with the model, so that after a restore versions go on rising and the
 * counters stay cumulative. A trainer leaves the fields it has no use for at their initial values (a pre-training
 * trainer reads no knowledge, the TEM trainer counts no samples towards a publication). Serialized by
 * {@link Serializer}.
 */
public final class TrainerProgress {

    /** Samples trained on. */
    long trainedSamples;
    /** Training steps taken; the model version TEM's predictions carry. */
    long steps;
    /** The last version this trainer published, or -1. */
    long publishedVersion = -1;
    /** Samples trained since the last publication, or since the last that failed. */
    long samplesSincePublish;
    /** One entry per knowledge kind the trainer has taken in or rejected a version of, in kind order. */
    private final Map<ModelKind, KnowledgeUse> knowledge = new EnumMap<>(ModelKind.class);

    /** What a trainer has taken in of one knowledge kind (MEM, TPM, CPM). */
    public static final class KnowledgeUse {
        /** The version in use, or -1. */
        long version = -1;
        /** When the version in use was created, epoch millis. */
        long createdAt;
        /** Versions swapped in. */
        long swaps;
        /** Versions rejected (failed verification). */
        long rejections;

        private KnowledgeUse copy() {
            KnowledgeUse c = new KnowledgeUse();
            c.version = version;
            c.createdAt = createdAt;
            c.swaps = swaps;
            c.rejections = rejections;
            return c;
        }

        private boolean isInitial() {
            return version == -1 && createdAt == 0 && swaps == 0 && rejections == 0;
        }
    }

    /** The use of {@code kind}, created at its initial values (no version) on first access. */
    KnowledgeUse knowledge(ModelKind kind) {
        return knowledge.computeIfAbsent(kind, k -> new KnowledgeUse());
    }

    /** The kinds with an entry, in kind order. */
    Map<ModelKind, KnowledgeUse> knowledge() {
        return Collections.unmodifiableMap(knowledge);
    }

    TrainerProgress copy() {
        TrainerProgress c = new TrainerProgress();
        c.trainedSamples = trainedSamples;
        c.steps = steps;
        c.publishedVersion = publishedVersion;
        c.samplesSincePublish = samplesSincePublish;
        knowledge.forEach((kind, use) -> c.knowledge.put(kind, use.copy()));
        return c;
    }

    /**
     * Format 2: the four counters as longs in declaration order, the number of knowledge entries as an int, then
     * per entry the kind's name and its four longs. Format 1 (eight longs, one knowledge kind: MEM's) is read by
     * {@link FormatOne}. A further change means format 3: raise {@link #FORMAT_VERSION} and keep the readers of
     * the older formats in {@link Snapshot}.
     */
    public static final class Serializer extends RecordSerializer<TrainerProgress> {

        private static final long serialVersionUID = 1L;

        static final int FORMAT_VERSION = 2;

        public static final Serializer INSTANCE = new Serializer();

        private Serializer() {}

        @Override
        public TrainerProgress createInstance() {
            return new TrainerProgress();
        }

        @Override
        public TrainerProgress copy(TrainerProgress from) {
            return from.copy();
        }

        @Override
        public void serialize(TrainerProgress p, DataOutputView out) throws IOException {
            writeCounters(p, out);
            out.writeInt(p.knowledge.size());
            for (Map.Entry<ModelKind, KnowledgeUse> e : p.knowledge.entrySet()) {
                out.writeUTF(e.getKey().name());
                writeUse(e.getValue(), out);
            }
        }

        @Override
        public TrainerProgress deserialize(DataInputView in) throws IOException {
            TrainerProgress p = readCounters(in);
            int entries = in.readInt();
            if (entries < 0 || entries > ModelKind.values().length) {
                throw new IOException("Trainer progress holds " + entries + " knowledge entries; at most "
                        + ModelKind.values().length + " kinds exist: the state is corrupt");
            }
            for (int i = 0; i < entries; i++) {
                String name = in.readUTF();
                ModelKind kind;
                try {
                    kind = ModelKind.valueOf(name);
                } catch (IllegalArgumentException e) {
                    throw new IOException("Trainer progress names knowledge kind '" + name + "', which this build "
                            + "does not know; restore it with the build that wrote it, or a newer one", e);
                }
                p.knowledge.put(kind, readUse(in));
            }
            return p;
        }

        @Override
        public TypeSerializerSnapshot<TrainerProgress> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    /**
     * Reads format 1, written before a trainer could read more than one knowledge kind: eight longs, the last four
     * MEM's (left out of the progress when they are at their initial values, as a pre-training trainer wrote them).
     */
    static final class FormatOne extends RecordSerializer<TrainerProgress> {

        private static final long serialVersionUID = 1L;

        static final FormatOne INSTANCE = new FormatOne();

        private FormatOne() {}

        @Override
        public TrainerProgress createInstance() {
            return new TrainerProgress();
        }

        @Override
        public TrainerProgress copy(TrainerProgress from) {
            return from.copy();
        }

        @Override
        public void serialize(TrainerProgress p, DataOutputView out) {
            throw readOnly();
        }

        @Override
        public TrainerProgress deserialize(DataInputView in) throws IOException {
            TrainerProgress p = readCounters(in);
            KnowledgeUse mem = readUse(in);
            if (!mem.isInitial()) {
                p.knowledge.put(ModelKind.MEM, mem);
            }
            return p;
        }

        @Override
        public TypeSerializerSnapshot<TrainerProgress> snapshotConfiguration() {
            throw readOnly();
        }

        private static UnsupportedOperationException readOnly() {
            return new UnsupportedOperationException("Format 1 of trainer progress is only read: a restore reads "
                    + "operator state with it once, and every checkpoint after that writes format "
                    + Serializer.FORMAT_VERSION);
        }
    }

    private static void writeCounters(TrainerProgress p, DataOutputView out) throws IOException {
        out.writeLong(p.trainedSamples);
        out.writeLong(p.steps);
        out.writeLong(p.publishedVersion);
        out.writeLong(p.samplesSincePublish);
    }

    private static TrainerProgress readCounters(DataInputView in) throws IOException {
        TrainerProgress p = new TrainerProgress();
        p.trainedSamples = in.readLong();
        p.steps = in.readLong();
        p.publishedVersion = in.readLong();
        p.samplesSincePublish = in.readLong();
        return p;
    }

    private static void writeUse(KnowledgeUse use, DataOutputView out) throws IOException {
        out.writeLong(use.version);
        out.writeLong(use.createdAt);
        out.writeLong(use.swaps);
        out.writeLong(use.rejections);
    }

    private static KnowledgeUse readUse(DataInputView in) throws IOException {
        KnowledgeUse use = new KnowledgeUse();
        use.version = in.readLong();
        use.createdAt = in.readLong();
        use.swaps = in.readLong();
        use.rejections = in.readLong();
        return use;
    }

    /** Records the format a serializer wrote, so that a later build can still read it. */
    public static final class Snapshot extends VersionedSerializerSnapshot<TrainerProgress> {
        public Snapshot() {
            super(Serializer.FORMAT_VERSION, f -> f == 1 ? FormatOne.INSTANCE : Serializer.INSTANCE);
        }
    }
}

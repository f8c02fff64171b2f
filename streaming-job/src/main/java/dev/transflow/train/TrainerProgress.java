package dev.transflow.train;

import dev.transflow.state.RecordSerializer;
import dev.transflow.state.VersionedSerializerSnapshot;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * How far a continual trainer has come: its counters and the model versions it published and uses. Checkpointed
 * with the model, so that after a restore versions go on rising and the counters stay cumulative. A trainer leaves
 * the fields it has no use for at their initial values (the MEM trainer uses no knowledge, the TEM trainer counts no
 * samples towards a publication). Serialized by {@link Serializer}.
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
    /** The knowledge (MEM) version in use, or -1. */
    long knowledgeVersion = -1;
    /** When the knowledge version in use was created, epoch millis. */
    long knowledgeCreatedAt;
    /** Knowledge versions swapped in. */
    long knowledgeSwaps;
    /** Knowledge versions rejected (failed verification). */
    long knowledgeRejections;

    TrainerProgress copy() {
        TrainerProgress c = new TrainerProgress();
        c.trainedSamples = trainedSamples;
        c.steps = steps;
        c.publishedVersion = publishedVersion;
        c.samplesSincePublish = samplesSincePublish;
        c.knowledgeVersion = knowledgeVersion;
        c.knowledgeCreatedAt = knowledgeCreatedAt;
        c.knowledgeSwaps = knowledgeSwaps;
        c.knowledgeRejections = knowledgeRejections;
        return c;
    }

    /**
     * Format 1: the eight fields as longs, in declaration order. A new field means a new format: raise
     * {@link #FORMAT_VERSION} and keep a serializer that reads format 1 for {@link Snapshot}.
     */
    public static final class Serializer extends RecordSerializer<TrainerProgress> {

        private static final long serialVersionUID = 1L;

        static final int FORMAT_VERSION = 1;

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
            out.writeLong(p.trainedSamples);
            out.writeLong(p.steps);
            out.writeLong(p.publishedVersion);
            out.writeLong(p.samplesSincePublish);
            out.writeLong(p.knowledgeVersion);
            out.writeLong(p.knowledgeCreatedAt);
            out.writeLong(p.knowledgeSwaps);
            out.writeLong(p.knowledgeRejections);
        }

        @Override
        public TrainerProgress deserialize(DataInputView in) throws IOException {
            TrainerProgress p = new TrainerProgress();
            p.trainedSamples = in.readLong();
            p.steps = in.readLong();
            p.publishedVersion = in.readLong();
            p.samplesSincePublish = in.readLong();
            p.knowledgeVersion = in.readLong();
            p.knowledgeCreatedAt = in.readLong();
            p.knowledgeSwaps = in.readLong();
            p.knowledgeRejections = in.readLong();
            return p;
        }

        @Override
        public TypeSerializerSnapshot<TrainerProgress> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    /** Records the format {@link Serializer} wrote, so that a later build can still read it. */
    public static final class Snapshot extends VersionedSerializerSnapshot<TrainerProgress> {
        public Snapshot() {
            super(Serializer.FORMAT_VERSION, format -> Serializer.INSTANCE); // format 1 is the only one so far
        }
    }
}

package dev.transflow.state;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.function.IntFunction;

/**
 * The snapshot of a serializer whose binary format has a version number. Flink stores the number beside the
 * snapshot's class name in every checkpoint ({@link #getCurrentVersion()}); a restore hands it back to
 * {@link #readSnapshot}, and the restored serializer is the one that reads that format. State written in an older
 * format is read with its own serializer and rewritten in the current one (compatible after migration); a format
 * newer than this code knows fails the restore with a message instead of misreading the bytes.
 *
 * <p>Subclasses name the current format and the serializer of every format they still read, and have a public
 * no-argument constructor (Flink instantiates them by name). Raise the version whenever the format changes.
 */
public abstract class VersionedSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {

    private final int currentVersion;
    private final IntFunction<TypeSerializer<T>> serializers;
    private int version;

    /**
     * @param currentVersion the format the current serializer writes, from 1
     * @param serializers the serializer reading a given format, for every format from 1 to {@code currentVersion}
     */
    protected VersionedSerializerSnapshot(int currentVersion, IntFunction<TypeSerializer<T>> serializers) {
        this.currentVersion = currentVersion;
        this.serializers = serializers;
        this.version = currentVersion;
    }

    @Override
    public final int getCurrentVersion() {
        return currentVersion;
    }

    /** The format of the data this snapshot describes: the current one, or the one read from a checkpoint. */
    public final int formatVersion() {
        return version;
    }

    @Override
    public final void writeSnapshot(DataOutputView out) {
        // The version is all there is, and Flink writes it itself.
    }

    @Override
    public final void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
        if (readVersion < 1 || readVersion > currentVersion) {
            throw new IOException(getClass().getName() + ": the checkpoint holds format version " + readVersion
                    + ", this build reads versions 1 to " + currentVersion + "; restore it with the build that wrote "
                    + "it, or a newer one");
        }
        version = readVersion;
    }

    @Override
    public final TypeSerializer<T> restoreSerializer() {
        return serializers.apply(version);
    }

    @Override
    public final TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
        if (old.getClass() != getClass()) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        return ((VersionedSerializerSnapshot<T>) old).version == currentVersion
                ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
    }
}

package dev.transflow.model.train;

import org.tensorflow.Session;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A TensorFlow checkpoint of every variable of one session (weights and optimizer state): on disk, as a snapshot
 * holds it, or as bytes, as a stream processor's checkpointed state holds it.
 *
 * <p>The bytes are the files of the on-disk checkpoint: their count ({@code int}), then for each file in name
 * order its name ({@code writeUTF}), its length ({@code int}) and its content. Checkpoints taken by running jobs
 * are in this format, so it must not change.
 */
public final class ModelCheckpoint {

    /** The prefix of the checkpoint's files in its directory ({@code variables.index}, {@code variables.data-*}). */
    public static final String PREFIX = "variables";

    private final Session session;

    public ModelCheckpoint(Session session) {
        this.session = session;
    }

    /** Writes every variable under {@code dir}, creating it. */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        session.save(dir.resolve(PREFIX).toString());
    }

    /** Restores every variable from a checkpoint under {@code dir} written by a model of the same structure. */
    public void restore(Path dir) {
        session.restore(dir.resolve(PREFIX).toString());
    }

    /** Every variable as bytes. */
    public byte[] toBytes() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("transflow-model-state");
            save(dir);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes); Stream<Path> files = Files.list(dir)) {
                List<Path> list = files.sorted().toList();
                out.writeInt(list.size());
                for (Path file : list) {
                    byte[] content = Files.readAllBytes(file);
                    out.writeUTF(file.getFileName().toString());
                    out.writeInt(content.length);
                    out.write(content);
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot checkpoint the model", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /**
     * Restores what {@link #toBytes()} produced, from a model of the same structure.
     *
     * @throws IllegalArgumentException when {@code state} is truncated or is not model state at all; nothing has
     *         been restored then
     */
    public void restore(byte[] state) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("transflow-model-state");
            unpack(state, dir);
            restore(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot restore the model from its state", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /** Writes the files {@code state} holds into {@code dir}, checking its framing before TensorFlow reads them. */
    private static void unpack(byte[] state, Path dir) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            int count = in.readInt();
            // A checkpoint has an index and at least one data file; a count beyond the bytes left is no checkpoint.
            if (count < 1 || count > state.length) {
                throw corrupt(state, "it claims " + count + " files");
            }
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.contains("..")) {
                    throw corrupt(state, "file " + (i + 1) + " has the invalid name '" + name + "'");
                }
                int length = in.readInt();
                if (length < 0 || length > in.available()) {
                    throw corrupt(state, "file " + name + " claims " + length + " bytes where " + in.available()
                            + " are left");
                }
                byte[] content = new byte[length];
                in.readFully(content);
                Files.write(dir.resolve(name), content);
            }
            if (in.available() > 0) {
                throw corrupt(state, in.available() + " bytes follow the last file");
            }
        } catch (EOFException e) {
            throw corrupt(state, "it ends in the middle of a file");
        }
    }

    private static IllegalArgumentException corrupt(byte[] state, String why) {
        return new IllegalArgumentException("The model state (" + state.length + " bytes) is truncated or corrupt: "
                + why + "; it is not what ModelCheckpoint.toBytes wrote");
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temporary directory left behind is harmless.
        }
    }
}

package dev.transflow.model.snapshot;

import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.schemas.ModelKind;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Versioned model snapshots under one root: {@code <root>/<kind>/v<version>/} holds the model's files and
 * {@code manifest.json}. A snapshot is written into a temporary directory next to its final place and renamed
 * when complete, so readers never see a partial one; reading verifies kind, feature schema and every file's
 * sha256 before anything is used, and reads no file outside the snapshot's directory.
 *
 * <p>Only entries named {@code v<N>} (N a long without leading zeros) that are directories count as versions:
 * anything else a person or a tool leaves in a kind's directory (a backup, a copy, a note, a temporary directory
 * of an unfinished publication) is ignored by listing, {@link #latestVersion} and {@link #retain}. Temporary
 * directories that no publication can finish any more are deleted by the next successful one.
 *
 * <p>This is the local-disk store (TensorFlow reads and writes checkpoints on local paths). The streaming job
 * copies published snapshots to and from remote storage through Flink's file systems.
 */
public final class SnapshotStore {

    /** Writes the model's files into the directory it is given. */
    @FunctionalInterface
    public interface Writer {
        void write(Path directory) throws IOException;
    }

    /** A verified snapshot. */
    public record Snapshot(Path directory, Manifest manifest, String manifestSha256) {}

    private static final Pattern VERSION_NAME = Pattern.compile("v(0|[1-9][0-9]{0,18})");
    private static final Pattern TEMPORARY_NAME = Pattern.compile("\\.tmp-v(0|[1-9][0-9]{0,18})-.+");

    private final Path root;

    public SnapshotStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public Path directory(ModelKind kind, long version) {
        return root.resolve(kind.name().toLowerCase()).resolve("v" + version);
    }

    /** Writes version {@code version} of {@code kind} atomically and returns it verified. */
    public Snapshot publish(ModelKind kind, long version, FeatureSchema schema, Map<String, Double> metrics,
            Writer writer) {
        Path target = directory(kind, version);
        if (Files.exists(target)) {
            throw new SnapshotException("Snapshot " + target + " exists already; versions are never overwritten");
        }
        Path temp = target.resolveSibling(".tmp-v" + version + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(temp);
            writer.write(temp);
            Map<String, String> files = new TreeMap<>();
            try (Stream<Path> walk = Files.walk(temp)) {
                for (Path file : walk.filter(Files::isRegularFile).toList()) {
                    files.put(temp.relativize(file).toString(), sha256(file));
                }
            }
            Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, kind, version, System.currentTimeMillis(),
                    schema.json(), schema.sha256(), files, metrics);
            Files.writeString(temp.resolve(Manifest.FILE_NAME), manifest.toJson(), StandardCharsets.UTF_8);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new SnapshotException("The file system of " + root + " cannot rename atomically; use a local "
                        + "directory for the snapshot store", e);
            }
            deleteTemporaries(kind, version);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new SnapshotException("Cannot write snapshot " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
        return read(target, kind, schema);
    }

    /**
     * Reads and verifies version {@code version} of {@code kind} from this store: everything
     * {@link #read(Path, ModelKind, FeatureSchema)} checks, and that the snapshot is the one the store keeps under
     * that version: its directory, once symbolic links are resolved, lies inside the root, and its manifest names
     * the same version (a snapshot copied or renamed by hand does not).
     *
     * @throws SnapshotException naming the directory when it is missing, outside the root, or holds another version
     */
    public Snapshot read(ModelKind kind, long version, FeatureSchema expectedSchema) {
        if (version < 0) {
            throw new SnapshotException("Version " + version + " of " + kind + " cannot exist: versions start at 0");
        }
        Path directory = directory(kind, version);
        Path real;
        try {
            real = directory.toRealPath();
            if (!real.startsWith(root.toRealPath())) {
                throw new SnapshotException(directory + " leads to " + real + ", outside the snapshot store " + root
                        + "; a version directory must not be a link to elsewhere");
            }
        } catch (NoSuchFileException e) {
            throw new SnapshotException(directory + " does not exist: version " + version + " of " + kind
                    + " was never published to " + root + ", or has been retired since");
        } catch (IOException e) {
            throw new SnapshotException("Cannot read " + directory + ": " + e.getMessage(), e);
        }
        Snapshot snapshot = read(directory, kind, expectedSchema);
        if (snapshot.manifest().version() != version) {
            throw new SnapshotException(directory + " holds version " + snapshot.manifest().version()
                    + " by its manifest, not " + version + ": it was copied or renamed by hand; remove it and "
                    + "let the trainer publish");
        }
        return snapshot;
    }

    /**
     * Reads and verifies the snapshot in {@code directory}.
     *
     * @param expectedSchema the schema the caller encodes samples with, or null to accept any
     * @throws SnapshotException naming the file when the snapshot is partial, damaged, of another kind or schema
     */
    public static Snapshot read(Path directory, ModelKind expectedKind, FeatureSchema expectedSchema) {
        Path manifestFile = directory.resolve(Manifest.FILE_NAME);
        String json;
        try {
            json = Files.readString(manifestFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SnapshotException(manifestFile + " is missing: " + directory + " is not a complete snapshot");
        } catch (IOException e) {
            throw new SnapshotException("Cannot read " + manifestFile + ": " + e.getMessage(), e);
        }
        Manifest manifest = Manifest.parse(json, manifestFile.toString());
        if (expectedKind != null && manifest.modelKind() != expectedKind) {
            throw new SnapshotException(manifestFile + ": the snapshot holds a " + manifest.modelKind()
                    + " model, not " + expectedKind);
        }
        if (expectedSchema != null && !expectedSchema.sha256().equals(manifest.featureSchemaSha256())) {
            throw new SnapshotException(manifestFile + ": the model was trained with feature schema "
                    + manifest.featureSchemaSha256() + ", this job encodes samples with " + expectedSchema.sha256()
                    + "; use the same schema file for both");
        }
        List<String> present = new ArrayList<>();
        Path realDirectory;
        try (Stream<Path> walk = Files.walk(directory)) {
            realDirectory = directory.toRealPath();
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                String name = directory.relativize(file).toString();
                if (!name.equals(Manifest.FILE_NAME)) {
                    present.add(name);
                }
            }
        } catch (IOException e) {
            throw new SnapshotException("Cannot list " + directory + ": " + e.getMessage(), e);
        }
        for (Map.Entry<String, String> entry : manifest.files().entrySet()) {
            Manifest.checkFileName(entry.getKey(), manifestFile.toString());
            Path file = directory.resolve(entry.getKey());
            if (!Files.isRegularFile(file)) {
                throw new SnapshotException(file + " is listed in the manifest but missing: the snapshot is partial");
            }
            checkInside(file, realDirectory, entry.getKey());
            String actual = sha256(file);
            if (!actual.equals(entry.getValue())) {
                throw new SnapshotException(file + " is damaged: sha256 " + actual + ", manifest says "
                        + entry.getValue());
            }
        }
        present.removeAll(manifest.files().keySet());
        if (!present.isEmpty()) {
            throw new SnapshotException(directory + " holds files the manifest does not list: " + present);
        }
        return new Snapshot(directory, manifest, sha256(manifestFile));
    }

    /** Rejects a listed file that a symbolic link takes out of the snapshot directory. */
    private static void checkInside(Path file, Path realDirectory, String name) {
        try {
            Path real = file.toRealPath();
            if (!real.startsWith(realDirectory)) {
                throw new SnapshotException(file + " (listed as '" + name + "') leads to " + real + ", outside the "
                        + "snapshot directory; a snapshot holds its files itself, not links to others");
            }
        } catch (IOException e) {
            throw new SnapshotException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The newest complete version of {@code kind}, or -1. Temporary directories are ignored. */
    public long latestVersion(ModelKind kind) {
        return versions(kind).stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    /** Versions present for {@code kind}, ascending: the {@code v<N>} directories, nothing else. */
    public List<Long> versions(ModelKind kind) {
        Path dir = root.resolve(kind.name().toLowerCase());
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory).map(p -> number(VERSION_NAME, p)).filter(OptionalLong::isPresent)
                    .map(OptionalLong::getAsLong).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The version in a directory name of {@code pattern}'s form; empty for other names and numbers too large. */
    private static OptionalLong number(Pattern pattern, Path path) {
        Matcher m = pattern.matcher(path.getFileName().toString());
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(m.group(1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty(); // 19 digits beyond Long.MAX_VALUE
        }
    }

    /**
     * Deletes temporary directories of versions up to {@code published}: no publisher will finish them, since
     * versions are picked above the newest one in the store. Those of higher versions may still be being written.
     */
    private void deleteTemporaries(ModelKind kind, long published) {
        try (Stream<Path> list = Files.list(root.resolve(kind.name().toLowerCase()))) {
            list.filter(p -> {
                OptionalLong version = number(TEMPORARY_NAME, p);
                return version.isPresent() && version.getAsLong() <= published;
            }).forEach(SnapshotStore::deleteQuietly);
        } catch (IOException | UncheckedIOException e) {
            // Left for the next publication; readers ignore them meanwhile.
        }
    }

    /** Deletes all but the newest {@code keep} versions of {@code kind}. */
    public void retain(ModelKind kind, int keep) {
        List<Long> versions = versions(kind);
        for (int i = 0; i < versions.size() - keep; i++) {
            deleteQuietly(directory(kind, versions.get(i)));
        }
    }

    /** Hex sha256 of a file. */
    public static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buffer = new byte[1 << 16];
            while (in.read(buffer) >= 0) {
                // digesting
            }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new SnapshotException("Cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temporary directory is ignored by readers and removed by the next publication.
        }
    }
}

package dev.transflow.snapshot;

import dev.transflow.model.snapshot.Manifest;
import dev.transflow.model.snapshot.SnapshotStore;
import dev.transflow.schemas.ModelVersion;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What someone who can write to {@code model.versions} (and to some directory) can do with a published snapshot:
 * copy it, change its manifest consistently, and announce the result under any version number.
 */
public final class Forgery {

    private Forgery() {}

    /**
     * Copies the snapshot {@code genuine} announced to {@code target}, rewrites its manifest to claim
     * {@code claimedVersion} and announces the copy with the matching manifest sha256.
     */
    public static ModelVersion copy(ModelVersion genuine, Path target, long claimedVersion) throws IOException {
        Path source = Path.of(URI.create(genuine.getUri()));
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path from : walk.toList()) {
                Path to = target.resolve(source.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
        }
        Path manifestFile = target.resolve(Manifest.FILE_NAME);
        Manifest m = Manifest.parse(Files.readString(manifestFile), manifestFile.toString());
        rewrite(manifestFile, new Manifest(m.formatVersion(), m.modelKind(), claimedVersion, m.createdAt(),
                m.featureSchema(), m.featureSchemaSha256(), m.files(), m.metrics()));
        return ModelVersion.newBuilder(genuine).setVersion(claimedVersion).setUri(target.toUri().toString())
                .setManifestSha256(SnapshotStore.sha256(manifestFile)).build();
    }

    /** Adds {@code name} with {@code sha256} to the manifest of the announced snapshot and announces it again. */
    public static ModelVersion listFile(ModelVersion genuine, String name, String sha256) throws IOException {
        Path manifestFile = Path.of(URI.create(genuine.getUri())).resolve(Manifest.FILE_NAME);
        Manifest m = Manifest.parse(Files.readString(manifestFile), manifestFile.toString());
        Map<String, String> files = new TreeMap<>(m.files());
        files.put(name, sha256);
        rewrite(manifestFile, new Manifest(m.formatVersion(), m.modelKind(), m.version(), m.createdAt(),
                m.featureSchema(), m.featureSchemaSha256(), files, m.metrics()));
        return ModelVersion.newBuilder(genuine).setManifestSha256(SnapshotStore.sha256(manifestFile)).build();
    }

    private static void rewrite(Path manifestFile, Manifest manifest) throws IOException {
        Files.writeString(manifestFile, manifest.toJson(), StandardCharsets.UTF_8);
    }
}

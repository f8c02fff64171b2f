package dev.transflow.model.snapshot;

import dev.transflow.schemas.ModelKind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a snapshot holds: model kind, version, creation time, the feature schema it was trained with (and its
 * digest), the sha256 of every file, and metrics. Stored as {@code manifest.json} in the snapshot directory.
 *
 * <p>File names are paths relative to the snapshot directory, with {@code /} between segments. A parsed manifest
 * holds no other kind: a name that is absolute or climbs with {@code ..} would make verification read (and
 * vouch for) a file anywhere on the machine.
 */
public record Manifest(int formatVersion, ModelKind modelKind, long version, long createdAt, String featureSchema,
        String featureSchemaSha256, Map<String, String> files, Map<String, Double> metrics) {

    public static final String FILE_NAME = "manifest.json";
    public static final int FORMAT_VERSION = 1;

    public Manifest {
        files = Map.copyOf(files);
        metrics = Map.copyOf(metrics);
    }

    public String toJson() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("format_version", formatVersion);
        root.put("model_kind", modelKind.name());
        root.put("version", version);
        root.put("created_at", createdAt);
        root.put("feature_schema_sha256", featureSchemaSha256);
        try {
            root.set("feature_schema", mapper.readTree(featureSchema));
        } catch (IOException e) {
            throw new IllegalStateException("The feature schema is not JSON", e);
        }
        ObjectNode fileNode = root.putObject("files");
        new TreeMap<>(files).forEach(fileNode::put);
        ObjectNode metricNode = root.putObject("metrics");
        new TreeMap<>(metrics).forEach(metricNode::put);
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a manifest; {@code origin} names the file in errors. */
    public static Manifest parse(String json, String origin) {
        try {
            JsonNode root = new ObjectMapper().readTree(json);
            int format = root.path("format_version").asInt(-1);
            if (format != FORMAT_VERSION) {
                throw new SnapshotException(origin + ": format_version " + format + " is not supported (expected "
                        + FORMAT_VERSION + "); the snapshot was written by another Transflow release");
            }
            ModelKind kind;
            try {
                kind = ModelKind.valueOf(root.path("model_kind").asText());
            } catch (IllegalArgumentException e) {
                throw new SnapshotException(origin + ": model_kind '" + root.path("model_kind").asText()
                        + "' is unknown");
            }
            Map<String, String> files = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.path("files").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                checkFileName(e.getKey(), origin);
                files.put(e.getKey(), e.getValue().asText());
            }
            Map<String, Double> metrics = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.path("metrics").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                metrics.put(e.getKey(), e.getValue().asDouble());
            }
            return new Manifest(format, kind, root.path("version").asLong(), root.path("created_at").asLong(),
                    root.path("feature_schema").toString(), root.path("feature_schema_sha256").asText(), files,
                    metrics);
        } catch (IOException e) {
            throw new SnapshotException(origin + " is not valid JSON (" + e.getMessage() + "); the snapshot is "
                    + "damaged: publish a new one", e);
        }
    }

    /** Rejects a file name that is not a plain relative path inside the snapshot directory. */
    static void checkFileName(String name, String origin) {
        boolean plain = !name.isEmpty() && !name.startsWith("/") && name.indexOf('\\') < 0
                && name.indexOf('\0') < 0;
        for (String segment : name.split("/", -1)) {
            plain &= !segment.isEmpty() && !segment.equals(".") && !segment.equals("..");
        }
        if (!plain) {
            throw new SnapshotException(origin + ": file name '" + name + "' points outside the snapshot "
                    + "directory (a manifest lists relative paths inside it only); the snapshot is damaged or "
                    + "forged: publish a new one");
        }
    }
}

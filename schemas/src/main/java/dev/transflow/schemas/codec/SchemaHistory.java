package dev.transflow.schemas.codec;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Released schema versions and the evolution policy that binds them.
 *
 * <p>Policy: every schema is <em>fully transitively compatible</em> with all its released versions. A consumer
 * built today reads what any older producer wrote (backward), and a consumer built from any older release reads
 * what today's producer writes (forward). In practice: add fields only with defaults, remove only fields that had
 * defaults, never change a field's type except by Avro's promotions, add enum symbols only to enums with a default.
 */
public final class SchemaHistory {

    private static final String RESOURCE_ROOT = "/dev/transflow/schemas/history/";

    /** A released schema version, as found by its fingerprint. */
    public record Release(EventType type, int version) {}

    private static volatile Map<Long, Release> byFingerprint;

    private SchemaHistory() {}

    /**
     * The released version with this CRC-64-AVRO parsing fingerprint, if any. The catalogue of all releases is
     * read from the classpath once per JVM, so classifying a flood of foreign records costs a map lookup each.
     */
    public static Optional<Release> release(long fingerprint) {
        Map<Long, Release> catalogue = byFingerprint;
        if (catalogue == null) {
            Map<Long, Release> built = new HashMap<>();
            for (EventType type : EventType.values()) {
                List<Schema> versions = releasedVersions(type);
                for (int v = 0; v < versions.size(); v++) {
                    built.putIfAbsent(SchemaNormalization.parsingFingerprint64(versions.get(v)),
                            new Release(type, v + 1));
                }
            }
            catalogue = Map.copyOf(built);
            byFingerprint = catalogue;
        }
        return Optional.ofNullable(catalogue.get(fingerprint));
    }

    /** Resource path of a released version, relative to the classpath root. */
    public static String resourcePath(EventType type, int version) {
        return RESOURCE_ROOT + type.recordName() + "/v" + version + ".avsc";
    }

    /** All released versions of {@code type}, oldest first. */
    public static List<Schema> releasedVersions(EventType type) {
        List<Schema> versions = new ArrayList<>(type.releasedVersions());
        for (int v = 1; v <= type.releasedVersions(); v++) {
            versions.add(load(type, v));
        }
        return versions;
    }

    private static Schema load(EventType type, int version) {
        String path = resourcePath(type, version);
        try (InputStream in = SchemaHistory.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("Released schema " + path + " is missing from the classpath; "
                        + type + " declares " + type.releasedVersions() + " released versions in EventType.");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read released schema " + path, e);
        }
    }

    /**
     * Checks {@code candidate} against every schema in {@code released} in both directions.
     *
     * @return one line per violation, empty when the candidate follows the policy
     */
    public static List<String> incompatibilities(Schema candidate, List<Schema> released) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < released.size(); i++) {
            Schema old = released.get(i);
            String label = candidate.getName() + " v" + (i + 1);
            check(candidate, old, "new readers cannot read data written with " + label, candidate, problems);
            check(old, candidate, "readers of " + label + " cannot read data written with the new schema", old,
                    problems);
        }
        return problems;
    }

    private static void check(Schema reader, Schema writer, String what, Schema named, List<String> problems) {
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
            StringBuilder line = new StringBuilder(what).append(':');
            result.getResult().getIncompatibilities().forEach(inc -> line.append(' ')
                    .append(inc.getType()).append(" at ").append(describe(named, inc.getLocation()))
                    .append(" (").append(inc.getMessage()).append(')'));
            problems.add(line.toString());
        }
    }

    /** Turns Avro's JSON-pointer location ("/fields/4/type") into field names ("field eventTime, type"). */
    static String describe(Schema schema, String location) {
        String[] parts = location.split("/");
        StringBuilder out = new StringBuilder();
        Schema current = schema;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            if (part.equals("fields") && i + 1 < parts.length && current != null
                    && current.getType() == Schema.Type.RECORD && parts[i + 1].matches("\\d+")
                    && Integer.parseInt(parts[i + 1]) < current.getFields().size()) {
                int index = Integer.parseInt(parts[++i]);
                Schema.Field field = current.getFields().get(index);
                append(out, "field " + field.name());
                current = field.schema();
            } else if (part.equals("type") || part.equals("name")) {
                continue;
            } else {
                append(out, part);
                current = null;
            }
        }
        return out.length() == 0 ? "the record" : out.toString();
    }

    private static void append(StringBuilder out, String part) {
        if (out.length() > 0) {
            out.append(" > ");
        }
        out.append(part);
    }
}

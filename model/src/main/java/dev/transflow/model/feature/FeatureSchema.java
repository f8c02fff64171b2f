package dev.transflow.model.feature;

import dev.transflow.schemas.Domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which features a model reads, and how: group (user, shared, specific), the domain a specific feature belongs
 * to, categorical (hashed into a vocabulary of fixed size, so unseen ids need no dictionary) or numeric, and the
 * embedding dimension. Behaviour sequences are implicit: the last {@link #sequenceLength()} clicked items per
 * entity type, embedded with the {@code item_id} feature's table.
 *
 * <p>JSON form:
 * <pre>
 * {"embedding_dim": 8, "sequence_length": 10, "features": [
 *   {"name": "user_id", "group": "user", "vocabulary": 200000},
 *   {"name": "price", "group": "specific", "domain": "source", "type": "numeric", "transform": "log1p"}, ...]}
 * </pre>
 * {@code user_id} (group user) and {@code item_id} (group shared) are required; their values come from the
 * id columns.
 */
public final class FeatureSchema {

    public static final String USER_ID = "user_id";
    public static final String ITEM_ID = "item_id";
    /** The entity-shared feature that behaviour-sequence elements carry besides the item id, where a schema has it. */
    public static final String CATEGORY = "category";

    public enum Kind { CATEGORICAL, NUMERIC }

    /** How a numeric value is transformed before it scales its embedding vector. */
    public enum Transform {
        NONE, LOG1P;

        public double apply(double x) {
            return this == LOG1P ? Math.log1p(Math.max(0, x)) : x;
        }
    }

    /** One feature. {@code domain} is null for features both domains have. */
    public record Feature(String name, FeatureGroup group, Domain domain, Kind kind, int vocabulary,
            Transform transform) {

        public boolean appliesTo(Domain d) {
            return domain == null || domain == d;
        }
    }

    private final int embeddingDim;
    private final int sequenceLength;
    private final List<Feature> features;
    private final List<String> sequenceAttributes;
    private final String json;

    private FeatureSchema(int embeddingDim, int sequenceLength, List<Feature> features, String origin) {
        this(embeddingDim, sequenceLength, features, List.of(), origin);
    }

    private FeatureSchema(int embeddingDim, int sequenceLength, List<Feature> features,
            List<String> sequenceAttributes, String origin) {
        if (embeddingDim < 1 || embeddingDim > 1024) {
            throw new FeatureSchemaException(origin, "embedding_dim", "must be in 1..1024, got " + embeddingDim);
        }
        if (sequenceLength < 1 || sequenceLength > 1000) {
            throw new FeatureSchemaException(origin, "sequence_length", "must be in 1..1000, got " + sequenceLength);
        }
        Set<String> names = new HashSet<>();
        for (Feature f : features) {
            String key = f.name() + "@" + (f.domain() == null ? "both" : f.domain());
            if (!names.add(key)) {
                throw new FeatureSchemaException(origin, f.name(), "is declared twice for the same domain");
            }
            if (f.kind() == Kind.CATEGORICAL && (f.vocabulary() < 2 || f.vocabulary() > 50_000_000)) {
                throw new FeatureSchemaException(origin, f.name(), "vocabulary must be in 2..50000000, got "
                        + f.vocabulary());
            }
            if (f.group() == FeatureGroup.SPECIFIC && f.domain() == null) {
                throw new FeatureSchemaException(origin, f.name(), "is entity-specific, so it needs a \"domain\": "
                        + "\"source\" or \"target\"");
            }
        }
        require(features, USER_ID, FeatureGroup.USER, origin);
        require(features, ITEM_ID, FeatureGroup.SHARED, origin);
        for (String attribute : sequenceAttributes) {
            // The click stream records a clicked item's id and category only (ClickedItem), so that is what
            // streamed sequences can carry; offline and online sequences must mean the same.
            if (!attribute.equals(CATEGORY)) {
                throw new FeatureSchemaException(origin, "sequence_attributes", "supports only \"" + CATEGORY
                        + "\" (the click stream records no other attribute of a clicked item), got \"" + attribute
                        + "\"");
            }
            require(features, attribute, FeatureGroup.SHARED, origin);
        }
        if (new HashSet<>(sequenceAttributes).size() != sequenceAttributes.size()) {
            throw new FeatureSchemaException(origin, "sequence_attributes", "names an attribute twice");
        }
        this.embeddingDim = embeddingDim;
        this.sequenceAttributes = List.copyOf(sequenceAttributes);
        this.sequenceLength = sequenceLength;
        this.features = List.copyOf(features);
        this.json = toJson();
    }

    private static void require(List<Feature> features, String name, FeatureGroup group, String origin) {
        boolean present = features.stream().anyMatch(f -> f.name().equals(name) && f.group() == group
                && f.kind() == Kind.CATEGORICAL && f.domain() == null);
        if (!present) {
            throw new FeatureSchemaException(origin, name, "is required: a categorical feature of group "
                    + group.prefix() + " for both domains");
        }
    }

    public int embeddingDim() {
        return embeddingDim;
    }

    public int sequenceLength() {
        return sequenceLength;
    }

    public List<Feature> features() {
        return features;
    }

    /**
     * Entity-shared features that behaviour-sequence elements carry besides the item id (summed into the element's
     * embedding; the attention query sums the candidate's own): {@code []} by default, {@code ["category"]} where
     * set.
     */
    public List<String> sequenceAttributes() {
        return sequenceAttributes;
    }

    /** This schema with sequence elements carrying {@code attributes}. */
    public FeatureSchema withSequenceAttributes(List<String> attributes) {
        return new FeatureSchema(embeddingDim, sequenceLength, features, attributes, "(sequence attributes)");
    }

    /** Features of {@code domain} in {@code group} of {@code kind}, in declaration order. */
    public List<Feature> select(Domain domain, FeatureGroup group, Kind kind) {
        List<Feature> out = new ArrayList<>();
        for (Feature f : features) {
            if (f.appliesTo(domain) && f.group() == group && f.kind() == kind) {
                out.add(f);
            }
        }
        return out;
    }

    /** The hash space of every categorical feature, laid end to end: one embedding table holds them all. */
    public long totalVocabulary() {
        long total = 0;
        for (Feature f : features) {
            if (f.kind() == Kind.CATEGORICAL) {
                total += f.vocabulary();
            }
        }
        return total;
    }

    /** Row offset of {@code feature}'s hash space in the shared table. */
    public int offset(Feature feature) {
        int offset = 0;
        for (Feature f : features) {
            if (f.equals(feature)) {
                return offset;
            }
            if (f.kind() == Kind.CATEGORICAL) {
                offset += f.vocabulary();
            }
        }
        throw new IllegalArgumentException(feature + " is not in this schema");
    }

    public Feature feature(String name) {
        for (Feature f : features) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("No feature '" + name + "' in the schema");
    }

    /** The canonical JSON form, as stored in snapshot manifests. */
    public String json() {
        return json;
    }

    /** Hex sha256 of {@link #json()}: two schemas with the same digest encode samples identically. */
    public String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(json.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String toJson() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("embedding_dim", embeddingDim);
        root.put("sequence_length", sequenceLength);
        if (!sequenceAttributes.isEmpty()) {
            // Written only when set, so the JSON (and sha256) of every schema without it stays as before.
            ArrayNode attributes = root.putArray("sequence_attributes");
            sequenceAttributes.forEach(attributes::add);
        }
        ArrayNode list = root.putArray("features");
        for (Feature f : features) {
            ObjectNode node = list.addObject();
            node.put("name", f.name());
            node.put("group", f.group().prefix());
            if (f.domain() != null) {
                node.put("domain", f.domain().name().toLowerCase(Locale.ROOT));
            }
            node.put("type", f.kind().name().toLowerCase(Locale.ROOT));
            if (f.kind() == Kind.CATEGORICAL) {
                node.put("vocabulary", f.vocabulary());
            } else {
                node.put("transform", f.transform().name().toLowerCase(Locale.ROOT));
            }
        }
        return root.toString();
    }

    /** Reads a schema file; every error names the file, the feature and the fix. */
    public static FeatureSchema load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(new ObjectMapper().readTree(in), file.toString());
        } catch (IOException e) {
            throw new FeatureSchemaException(file.toString(), "(file)", "cannot be read as JSON: " + e.getMessage());
        }
    }

    public static FeatureSchema parse(String json, String origin) {
        try {
            return parse(new ObjectMapper().readTree(json), origin);
        } catch (IOException e) {
            throw new FeatureSchemaException(origin, "(file)", "is not JSON: " + e.getMessage());
        }
    }

    private static FeatureSchema parse(JsonNode root, String origin) {
        if (root == null || !root.isObject()) {
            throw new FeatureSchemaException(origin, "(root)", "must be a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!Set.of("embedding_dim", "sequence_length", "sequence_attributes", "features").contains(key)) {
                throw new FeatureSchemaException(origin, key, "is not a schema setting; use embedding_dim, "
                        + "sequence_length, sequence_attributes and features");
            }
        }
        JsonNode list = root.get("features");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new FeatureSchemaException(origin, "features", "must be a non-empty array");
        }
        List<Feature> features = new ArrayList<>();
        for (JsonNode node : list) {
            features.add(parseFeature(node, origin));
        }
        List<String> attributes = new ArrayList<>();
        JsonNode attributeList = root.get("sequence_attributes");
        if (attributeList != null) {
            if (!attributeList.isArray()) {
                throw new FeatureSchemaException(origin, "sequence_attributes", "must be an array of feature names");
            }
            attributeList.forEach(a -> attributes.add(a.asText()));
        }
        return new FeatureSchema(root.path("embedding_dim").asInt(8), root.path("sequence_length").asInt(10),
                features, attributes, origin);
    }

    private static Feature parseFeature(JsonNode node, String origin) {
        String name = node.path("name").asText("");
        if (name.isEmpty()) {
            throw new FeatureSchemaException(origin, "(feature)", "has no \"name\": " + node);
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!Set.of("name", "group", "domain", "type", "vocabulary", "transform").contains(key)) {
                throw new FeatureSchemaException(origin, name, "has unknown setting \"" + key + "\"; known: name, "
                        + "group, domain, type, vocabulary, transform");
            }
        }
        String groupText = node.path("group").asText("");
        FeatureGroup group = FeatureGroup.ofPrefix(groupText);
        if (group == null) {
            throw new FeatureSchemaException(origin, name, "has group \"" + groupText + "\"; use user, shared or "
                    + "specific");
        }
        Domain domain = null;
        if (node.has("domain")) {
            String d = node.get("domain").asText();
            if (d.equals("source")) {
                domain = Domain.SOURCE;
            } else if (d.equals("target")) {
                domain = Domain.TARGET;
            } else {
                throw new FeatureSchemaException(origin, name, "has domain \"" + d + "\"; use source or target");
            }
        }
        String type = node.path("type").asText("categorical");
        Kind kind;
        if (type.equals("categorical")) {
            kind = Kind.CATEGORICAL;
        } else if (type.equals("numeric")) {
            kind = Kind.NUMERIC;
        } else {
            throw new FeatureSchemaException(origin, name, "has type \"" + type + "\"; use categorical or numeric");
        }
        String transformText = node.path("transform").asText("none");
        Transform transform;
        try {
            transform = Transform.valueOf(transformText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new FeatureSchemaException(origin, name, "has transform \"" + transformText + "\"; use none or log1p");
        }
        int vocabulary = node.path("vocabulary").asInt(kind == Kind.CATEGORICAL ? 10_000 : 0);
        return new Feature(name, group, domain, kind, vocabulary, transform);
    }

    /**
     * A schema for two generic CSV files: every feature column becomes a feature (categorical columns hashed into
     * {@code defaultVocabulary} buckets, numeric ones log1p-transformed), specific columns belong to their file's
     * domain, and user and item ids get {@code idVocabulary} buckets.
     */
    public static FeatureSchema infer(CsvLayout source, CsvLayout target, int idVocabulary, int defaultVocabulary) {
        List<Feature> features = new ArrayList<>();
        features.add(new Feature(USER_ID, FeatureGroup.USER, null, Kind.CATEGORICAL, idVocabulary, Transform.NONE));
        features.add(new Feature(ITEM_ID, FeatureGroup.SHARED, null, Kind.CATEGORICAL, idVocabulary, Transform.NONE));
        Set<String> seen = new HashSet<>();
        for (Domain domain : Domain.values()) {
            CsvLayout layout = domain == Domain.SOURCE ? source : target;
            if (layout == null) {
                continue;
            }
            List<CsvLayout.FeatureColumn> columns = new ArrayList<>(layout.categorical());
            columns.addAll(layout.numeric());
            for (CsvLayout.FeatureColumn c : columns) {
                Domain owner = c.group() == FeatureGroup.SPECIFIC ? domain : null;
                if (!seen.add(c.header() + "@" + owner)) {
                    continue;
                }
                features.add(new Feature(c.name(), c.group(), owner, c.numeric() ? Kind.NUMERIC : Kind.CATEGORICAL,
                        c.numeric() ? 0 : defaultVocabulary, c.numeric() ? Transform.LOG1P : Transform.NONE));
            }
        }
        return new FeatureSchema(8, 10, features, "(inferred from CSV headers)");
    }
}

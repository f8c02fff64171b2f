package dev.transflow.model.feature;

import dev.transflow.model.feature.FeatureSchema.Feature;
import dev.transflow.schemas.ClickedItem;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.LabeledSample;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns samples into {@link EncodedSamples}: hashed categorical indices, transformed numeric values (NaN where a
 * value is missing), behaviour
 * sequences. Offline, from generic CSV rows of both domains, it builds each user's sequences point-in-time (only
 * clicks of rows before the impression); online, {@link LabeledSample}s carry their sequences.
 */
public final class SampleEncoder {

    private static final String MISSING = "\u0000missing";

    private final FeatureSchema schema;
    private final Map<Domain, DomainLayout> layouts = new EnumMap<>(Domain.class);

    public SampleEncoder(FeatureSchema schema) {
        this.schema = schema;
        for (Domain d : Domain.values()) {
            layouts.put(d, new DomainLayout(schema, d));
        }
    }

    public FeatureSchema schema() {
        return schema;
    }

    public DomainLayout layout(Domain domain) {
        return layouts.get(domain);
    }

    /**
     * Encodes rows of both domains. Rows are merged in time order (source first on equal timestamps); each row
     * sees the clicks (label 1) of earlier rows of the same user in its sequences.
     */
    public Map<Domain, EncodedSamples> encode(List<InteractionRow> source, List<InteractionRow> target) {
        record Tagged(Domain domain, InteractionRow row, int index) {}
        List<Tagged> merged = new ArrayList<>(source.size() + target.size());
        for (int i = 0; i < source.size(); i++) {
            merged.add(new Tagged(Domain.SOURCE, source.get(i), i));
        }
        for (int i = 0; i < target.size(); i++) {
            merged.add(new Tagged(Domain.TARGET, target.get(i), i));
        }
        merged.sort(Comparator.comparingLong((Tagged t) -> t.row.timestamp()).thenComparing(t -> t.domain)
                .thenComparingInt(t -> t.index));

        Map<Domain, EncodedSamples> out = new EnumMap<>(Domain.class);
        out.put(Domain.SOURCE, new EncodedSamples(Domain.SOURCE, layout(Domain.SOURCE), source.size()));
        out.put(Domain.TARGET, new EncodedSamples(Domain.TARGET, layout(Domain.TARGET), target.size()));
        Map<String, int[]> products = new HashMap<>();
        Map<String, int[]> posts = new HashMap<>();
        Map<String, Integer> userIndex = new HashMap<>();
        Map<CsvLayout, int[][]> columnMaps = new HashMap<>();
        int[] next = new int[2];
        int seqLen = schema.sequenceLength();
        for (Tagged t : merged) {
            EncodedSamples samples = out.get(t.domain);
            DomainLayout layout = samples.layout;
            int r = next[t.domain.ordinal()]++;
            InteractionRow row = t.row;
            int[][] columns = columnMaps.computeIfAbsent(row.layout(), l -> columnMap(layout, l));
            for (int f = 0; f < layout.categoricalWidth(); f++) {
                Feature feature = layout.categorical().get(f);
                String value = idValue(feature, row.userId(), row.itemId());
                if (value == null) {
                    int column = columns[0][f];
                    value = column < 0 ? null : row.categorical(column);
                }
                samples.categorical[r * layout.categoricalWidth() + f] = categoricalRow(layout, f, value);
            }
            for (int f = 0; f < layout.numericWidth(); f++) {
                int column = columns[1][f];
                double value = column < 0 ? Double.NaN : row.numeric(column);
                samples.numeric[r * layout.numericWidth() + f] = numericValue(layout.numeric().get(f), value);
            }
            int attrs = layout.sequenceAttributes();
            copySequence(products.get(row.userId()), samples.productSequence, samples.productSequenceLength, r,
                    seqLen, attrs);
            copySequence(posts.get(row.userId()), samples.postSequence, samples.postSequenceLength, r, seqLen, attrs);
            samples.labels[r] = row.label();
            samples.timestamps[r] = row.timestamp();
            samples.users[r] = userIndex.computeIfAbsent(row.userId(), u -> userIndex.size());
            if (row.label() == 1) {
                Map<String, int[]> history = t.domain == Domain.SOURCE ? products : posts;
                int[] positions = layout.sequenceAttributePositions();
                int[] element = new int[attrs];
                for (int a = 0; a < attrs; a++) {
                    element[a] = samples.categorical[r * layout.categoricalWidth() + positions[a]];
                }
                push(history.computeIfAbsent(row.userId(), u -> new int[seqLen * attrs + 1]), element, seqLen);
            }
        }
        String[] ids = new String[userIndex.size()];
        userIndex.forEach((id, index) -> ids[index] = id);
        out.values().forEach(samples -> samples.userIds = ids);
        return out;
    }

    /** The id columns' value for the {@code user_id} and {@code item_id} features, null for any other feature. */
    private static String idValue(Feature feature, String userId, String itemId) {
        if (feature.name().equals(FeatureSchema.USER_ID) && feature.group() == FeatureGroup.USER) {
            return userId;
        }
        if (feature.name().equals(FeatureSchema.ITEM_ID) && feature.group() == FeatureGroup.SHARED) {
            return itemId;
        }
        return null;
    }

    /** For each layout feature, the row layout's categorical [0] or numeric [1] column, or -1 when absent. */
    private static int[][] columnMap(DomainLayout layout, CsvLayout rows) {
        int[] categorical = new int[layout.categoricalWidth()];
        for (int f = 0; f < categorical.length; f++) {
            categorical[f] = indexOf(rows.categorical(), layout.categorical().get(f));
        }
        int[] numeric = new int[layout.numericWidth()];
        for (int f = 0; f < numeric.length; f++) {
            numeric[f] = indexOf(rows.numeric(), layout.numeric().get(f));
        }
        return new int[][] {categorical, numeric};
    }

    private static int indexOf(List<CsvLayout.FeatureColumn> columns, Feature feature) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(feature.name()) && columns.get(i).group() == feature.group()) {
                return i;
            }
        }
        return -1;
    }

    private static int categoricalRow(DomainLayout layout, int f, String value) {
        Feature feature = layout.categorical().get(f);
        return layout.offset(f) + FeatureHasher.bucket(feature.name(), value == null ? MISSING : value,
                feature.vocabulary());
    }

    /**
     * The transformed value, or NaN when missing: models standardize it and give "missing" its own weight. A value
     * whose transform has no finite float32 (beyond +-3.4e38 with transform {@code none}, or infinite) counts as
     * missing too: clamped to the float range it would still swamp the running mean and deviation for a million
     * values, and as an infinity it would turn them, and every score after them, into NaN.
     */
    static float numericValue(Feature feature, double value) {
        if (Double.isNaN(value)) {
            return Float.NaN;
        }
        float transformed = (float) feature.transform().apply(value);
        return Float.isFinite(transformed) ? transformed : Float.NaN;
    }

    /** history[0] is the count, history[1..] the newest-first elements, each its attributes' table rows. */
    private static void push(int[] history, int[] element, int seqLen) {
        int attrs = element.length;
        int count = Math.min(history[0] + 1, seqLen);
        System.arraycopy(history, 1, history, 1 + attrs, (count - 1) * attrs);
        System.arraycopy(element, 0, history, 1, attrs);
        history[0] = count;
    }

    private static void copySequence(int[] history, int[] target, int[] lengths, int row, int seqLen, int attrs) {
        if (history == null) {
            lengths[row] = 0;
            return;
        }
        System.arraycopy(history, 1, target, row * seqLen * attrs, history[0] * attrs);
        lengths[row] = history[0];
    }

    /** Encodes streamed samples of one domain, with the sequences they carry. */
    public EncodedSamples encode(Domain domain, List<LabeledSample> samples, Map<String, Integer> userIndex) {
        DomainLayout layout = layout(domain);
        EncodedSamples out = new EncodedSamples(domain, layout, samples.size());
        int seqLen = schema.sequenceLength();
        for (int r = 0; r < samples.size(); r++) {
            LabeledSample s = samples.get(r);
            if (s.getDomain() != domain) {
                throw new IllegalArgumentException("Sample " + s.getImpressionId() + " is of domain " + s.getDomain()
                        + ", not " + domain);
            }
            for (int f = 0; f < layout.categoricalWidth(); f++) {
                Feature feature = layout.categorical().get(f);
                String value = idValue(feature, s.getUserId(), s.getItemId());
                if (value == null) {
                    value = group(s, feature.group()).getCategorical().get(feature.name());
                }
                out.categorical[r * layout.categoricalWidth() + f] = categoricalRow(layout, f, value);
            }
            for (int f = 0; f < layout.numericWidth(); f++) {
                Feature feature = layout.numeric().get(f);
                Double value = group(s, feature.group()).getNumeric().get(feature.name());
                out.numeric[r * layout.numericWidth() + f] = numericValue(feature, value == null ? Double.NaN : value);
            }
            copyClicked(s.getClickedProducts(), layout, out.productSequence, out.productSequenceLength, r, seqLen);
            copyClicked(s.getClickedPosts(), layout, out.postSequence, out.postSequenceLength, r, seqLen);
            out.labels[r] = s.getLabel();
            out.timestamps[r] = s.getImpressionTime();
            out.users[r] = userIndex.computeIfAbsent(s.getUserId(), u -> userIndex.size());
        }
        String[] ids = new String[userIndex.size()];
        userIndex.forEach((id, index) -> ids[index] = id);
        out.userIds = ids;
        return out;
    }

    private static FeatureValues group(LabeledSample s, FeatureGroup group) {
        switch (group) {
            case USER: return s.getUser();
            case SHARED: return s.getShared();
            default: return s.getSpecific();
        }
    }

    private static void copyClicked(List<ClickedItem> items, DomainLayout layout, int[] target, int[] lengths,
            int row, int seqLen) {
        int n = Math.min(items.size(), seqLen);
        int attrs = layout.sequenceAttributes();
        int[] positions = layout.sequenceAttributePositions();
        for (int i = 0; i < n; i++) {
            int at = (row * seqLen + i) * attrs;
            target[at] = layout.itemRow(items.get(i).getItemId());
            if (attrs > 1) {
                // The schema allows only the category as a further attribute: the one a ClickedItem records.
                target[at + 1] = categoricalRow(layout, positions[1], items.get(i).getCategory());
            }
        }
        lengths[row] = n;
    }
}

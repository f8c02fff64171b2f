package dev.transflow.model.feature;

import dev.transflow.model.feature.FeatureSchema.Feature;
import dev.transflow.model.feature.FeatureSchema.Kind;
import dev.transflow.schemas.Domain;

import java.util.ArrayList;
import java.util.List;

/**
 * The order of one domain's features in encoded samples: categorical user, shared, specific; then numeric user,
 * shared, specific. Models slice the groups by these counts.
 */
public final class DomainLayout {

    private final Domain domain;
    private final int sequenceLength;
    private final List<Feature> categorical = new ArrayList<>();
    private final List<Feature> numeric = new ArrayList<>();
    private final int[] categoricalPerGroup = new int[FeatureGroup.values().length];
    private final int[] numericPerGroup = new int[FeatureGroup.values().length];
    private final int[] offsets;
    private final int itemIdPosition;
    private final int itemIdOffset;
    private final int itemIdVocabulary;
    private final int[] sequencePositions;

    DomainLayout(FeatureSchema schema, Domain domain) {
        this.domain = domain;
        this.sequenceLength = schema.sequenceLength();
        for (FeatureGroup group : FeatureGroup.values()) {
            List<Feature> cats = schema.select(domain, group, Kind.CATEGORICAL);
            categorical.addAll(cats);
            categoricalPerGroup[group.ordinal()] = cats.size();
            List<Feature> nums = schema.select(domain, group, Kind.NUMERIC);
            numeric.addAll(nums);
            numericPerGroup[group.ordinal()] = nums.size();
        }
        offsets = new int[categorical.size()];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = schema.offset(categorical.get(i));
        }
        Feature item = schema.feature(FeatureSchema.ITEM_ID);
        itemIdPosition = categorical.indexOf(item);
        itemIdOffset = schema.offset(item);
        itemIdVocabulary = item.vocabulary();
        sequencePositions = new int[1 + schema.sequenceAttributes().size()];
        sequencePositions[0] = itemIdPosition;
        for (int a = 1; a < sequencePositions.length; a++) {
            sequencePositions[a] = sharedPosition(schema.sequenceAttributes().get(a - 1));
        }
    }

    /** Position of the entity-shared categorical feature {@code name}; the schema checked that there is one. */
    private int sharedPosition(String name) {
        for (int i = 0; i < categorical.size(); i++) {
            if (categorical.get(i).name().equals(name) && categorical.get(i).group() == FeatureGroup.SHARED) {
                return i;
            }
        }
        throw new IllegalStateException("No shared feature '" + name + "' in the " + domain + " layout");
    }

    public Domain domain() {
        return domain;
    }

    public int sequenceLength() {
        return sequenceLength;
    }

    public List<Feature> categorical() {
        return categorical;
    }

    public List<Feature> numeric() {
        return numeric;
    }

    public int categoricalWidth() {
        return categorical.size();
    }

    public int numericWidth() {
        return numeric.size();
    }

    public int categoricalCount(FeatureGroup group) {
        return categoricalPerGroup[group.ordinal()];
    }

    public int numericCount(FeatureGroup group) {
        return numericPerGroup[group.ordinal()];
    }

    /** Position of {@code item_id} among the categorical features (the attention query). */
    public int itemIdPosition() {
        return itemIdPosition;
    }

    /**
     * Attributes of one behaviour-sequence element: the clicked item's id and, where the schema's
     * {@link FeatureSchema#sequenceAttributes()} name it, its category (MKT 3.2.1: the attention reads entity-shared
     * features, so one sequence encoder serves products and posts).
     */
    public int sequenceAttributes() {
        return sequencePositions.length;
    }

    /** Ints per row of one sequence: {@code sequenceLength() * sequenceAttributes()}. */
    public int sequenceWidth() {
        return sequenceLength * sequenceAttributes();
    }

    /**
     * Positions among the categorical features of the candidate's own values of the sequence attributes, in the
     * order of {@link #sequenceAttributes()}: the attention query is built from them.
     */
    public int[] sequenceAttributePositions() {
        return sequencePositions.clone();
    }

    int offset(int categoricalIndex) {
        return offsets[categoricalIndex];
    }

    /** Table row of an item id, as in sequences. */
    int itemRow(String itemId) {
        return itemIdOffset + FeatureHasher.bucket(FeatureSchema.ITEM_ID, itemId, itemIdVocabulary);
    }
}

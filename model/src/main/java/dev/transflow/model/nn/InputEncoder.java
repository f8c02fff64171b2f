package dev.transflow.model.nn;

import dev.transflow.model.feature.DomainLayout;
import dev.transflow.model.feature.FeatureGroup;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.schemas.Domain;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Embeds a domain's batch into the four MKT feature groups: user profile, behaviour sequences (clicked products and
 * posts, pooled by target attention with the candidate item as query, or averaged), entity-shared and
 * entity-specific features. One embedding table holds every categorical feature; a numeric feature is
 * standardized ({@link NumericInput}) and embedded as {@code z * w + missing * m}.
 */
public final class InputEncoder {

    /** How behaviour sequences are pooled. */
    public enum Pooling {
        /** DIN target attention against the candidate item. */
        ATTENTION,
        /** The mean of the clicked items' embeddings. */
        MEAN
    }

    /**
     * The group vectors of one batch. Without entity-specific features, {@code specific} is one zero column
     * ({@code specificWidth} 1, {@code specificFields} 0). {@code userFields} [batch, n, dim] holds the user
     * profile fields and the two pooled sequences, {@code itemFields} [batch, m, dim] the shared and specific
     * fields, for explicit crosses.
     */
    public record Encoded(Operand<TFloat32> user, Operand<TFloat32> sequence, Operand<TFloat32> shared,
            Operand<TFloat32> specific, int userWidth, int sequenceWidth, int sharedWidth, int specificWidth,
            int specificFields, Operand<TFloat32> userFields, Operand<TFloat32> itemFields,
            NumericInput.Standardized numeric) {

        /** {@code [user; sequence; shared; specific]}: the entity's whole input {@code v} (MKT eq. 1). */
        public Operand<TFloat32> all(Ops tf) {
            return tf.concat(List.of(user, sequence, shared, specific), tf.constant(1));
        }

        public int allWidth() {
            return userWidth + sequenceWidth + sharedWidth + specificWidth;
        }
    }

    private final Net net;
    private final int dim;
    private final EmbeddingTable table;
    private final TargetAttention attention;
    private final Map<Domain, NumericInput> numericInputs = new EnumMap<>(Domain.class);
    private final Map<Domain, Map<FeatureGroup, Net.Param>> numericWeights = new EnumMap<>(Domain.class);
    private final Map<Domain, Map<FeatureGroup, Net.Param>> missingWeights = new EnumMap<>(Domain.class);

    public InputEncoder(Net net, String name, String group, SampleEncoder encoder) {
        this(net, name, group, encoder, Pooling.ATTENTION);
    }

    public InputEncoder(Net net, String name, String group, SampleEncoder encoder, Pooling pooling) {
        FeatureSchema schema = encoder.schema();
        this.net = net;
        this.dim = schema.embeddingDim();
        this.table = new EmbeddingTable(net, name + "/embeddings", group, schema.totalVocabulary(), dim);
        this.attention = pooling == Pooling.ATTENTION ? new TargetAttention(net, name + "/attention", group, dim, 36)
                : null;
        for (Domain d : Domain.values()) {
            DomainLayout layout = encoder.layout(d);
            String tag = d.name().toLowerCase();
            numericInputs.put(d, new NumericInput(net, name + "/numeric_stats_" + tag, group, d,
                    layout.numericWidth()));
            Map<FeatureGroup, Net.Param> weights = new EnumMap<>(FeatureGroup.class);
            Map<FeatureGroup, Net.Param> missing = new EnumMap<>(FeatureGroup.class);
            for (FeatureGroup g : FeatureGroup.values()) {
                int n = layout.numericCount(g);
                // Numeric user and shared features mean the same in both domains: one weight for both.
                Domain owner = g == FeatureGroup.SPECIFIC ? d : Domain.SOURCE;
                if (n > 0 && owner == d) {
                    weights.put(g, net.uniform(name + "/numeric_" + g.prefix() + "_" + tag, group, 0.05, n, dim));
                    missing.put(g, net.uniform(name + "/missing_" + g.prefix() + "_" + tag, group, 0.05, n, dim));
                } else if (n > 0) {
                    weights.put(g, numericWeights.get(Domain.SOURCE).get(g));
                    missing.put(g, missingWeights.get(Domain.SOURCE).get(g));
                }
            }
            numericWeights.put(d, weights);
            missingWeights.put(d, missing);
        }
    }

    public EmbeddingTable table() {
        return table;
    }

    public int dim() {
        return dim;
    }

    /** The batch's numeric values standardized by its domain's statistics, with their missing indicators. */
    public NumericInput.Standardized standardized(BatchInputs in) {
        return numericInputs.get(in.layout.domain()).apply(in.numeric);
    }

    public Encoded encode(BatchInputs in) {
        Ops tf = net.tf();
        DomainLayout layout = in.layout;
        NumericInput.Standardized numeric = standardized(in);
        int catStart = 0;
        int numStart = 0;
        List<Operand<TFloat32>> groups = new ArrayList<>();
        List<Operand<TFloat32>> fieldBlocks = new ArrayList<>(); // [batch, fields, dim] per group
        int[] widths = new int[FeatureGroup.values().length];
        for (FeatureGroup g : FeatureGroup.values()) {
            List<Operand<TFloat32>> parts = new ArrayList<>();
            int cats = layout.categoricalCount(g);
            if (cats > 0) {
                Operand<TInt32> idx = tf.slice(in.categorical, tf.constant(new int[] {0, catStart}),
                        tf.constant(new int[] {-1, cats}));
                parts.add(table.lookup(idx)); // [batch, cats, dim]
            }
            int nums = layout.numericCount(g);
            if (nums > 0) {
                Operand<TFloat32> z = tf.slice(numeric.values(), tf.constant(new int[] {0, numStart}),
                        tf.constant(new int[] {-1, nums}));
                Operand<TFloat32> miss = tf.slice(numeric.missing(), tf.constant(new int[] {0, numStart}),
                        tf.constant(new int[] {-1, nums}));
                Operand<TFloat32> embedded = tf.math.add(
                        tf.math.mul(tf.expandDims(z, tf.constant(2)), numericWeights.get(layout.domain()).get(g).read()),
                        tf.math.mul(tf.expandDims(miss, tf.constant(2)),
                                missingWeights.get(layout.domain()).get(g).read()));
                parts.add(embedded); // [batch, nums, dim]
            }
            catStart += cats;
            numStart += nums;
            widths[g.ordinal()] = (cats + nums) * dim;
            Operand<TFloat32> block = parts.isEmpty() ? null
                    : parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(1));
            fieldBlocks.add(block);
            groups.add(block == null
                    // A group without features: an empty [batch, 0] block keeps the shapes uniform.
                    ? tf.slice(in.numeric, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, 0}))
                    : tf.reshape(block, tf.constant(new long[] {-1, (long) (cats + nums) * dim})));
        }
        Operand<TInt32> itemIdx = tf.slice(in.categorical, tf.constant(new int[] {0, layout.itemIdPosition()}),
                tf.constant(new int[] {-1, 1}));
        Operand<TFloat32> item = tf.reshape(table.lookup(itemIdx), tf.constant(new long[] {-1, dim}));
        int length = layout.sequenceLength();
        // An element is the sum of its attributes' embeddings (item id, category); the query is the candidate's.
        Operand<TFloat32> query = item;
        int[] positions = layout.sequenceAttributePositions();
        for (int a = 1; a < positions.length; a++) {
            Operand<TInt32> idx = tf.slice(in.categorical, tf.constant(new int[] {0, positions[a]}),
                    tf.constant(new int[] {-1, 1}));
            query = tf.math.add(query, tf.reshape(table.lookup(idx), tf.constant(new long[] {-1, dim})));
        }
        Operand<TFloat32> products = pool(query, elements(in.productSequence), in.productLength, length);
        Operand<TFloat32> posts = pool(query, elements(in.postSequence), in.postLength, length);
        Operand<TFloat32> sequence = tf.concat(List.of(products, posts), tf.constant(1));
        int specificFields = layout.categoricalCount(FeatureGroup.SPECIFIC) + layout.numericCount(FeatureGroup.SPECIFIC);
        Operand<TFloat32> specific = groups.get(FeatureGroup.SPECIFIC.ordinal());
        if (specificFields == 0) {
            // No entity-specific features (e.g. Tenrec video): one zero column, so projections still have an input.
            specific = tf.math.mul(tf.slice(item, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, 1})),
                    tf.constant(0f));
        }
        List<Operand<TFloat32>> userSide = new ArrayList<>();
        if (fieldBlocks.get(FeatureGroup.USER.ordinal()) != null) {
            userSide.add(fieldBlocks.get(FeatureGroup.USER.ordinal()));
        }
        userSide.add(tf.expandDims(products, tf.constant(1)));
        userSide.add(tf.expandDims(posts, tf.constant(1)));
        List<Operand<TFloat32>> itemSide = new ArrayList<>();
        for (FeatureGroup g : List.of(FeatureGroup.SHARED, FeatureGroup.SPECIFIC)) {
            if (fieldBlocks.get(g.ordinal()) != null) {
                itemSide.add(fieldBlocks.get(g.ordinal()));
            }
        }
        return new Encoded(groups.get(FeatureGroup.USER.ordinal()), sequence, groups.get(FeatureGroup.SHARED.ordinal()),
                specific, widths[FeatureGroup.USER.ordinal()], 2 * dim, widths[FeatureGroup.SHARED.ordinal()],
                Math.max(1, widths[FeatureGroup.SPECIFIC.ordinal()]), specificFields,
                tf.concat(userSide, tf.constant(1)), tf.concat(itemSide, tf.constant(1)), numeric);
    }

    /** [batch, length, attributes] table rows to [batch, length, dim] element embeddings. */
    private Operand<TFloat32> elements(Operand<TInt32> sequence) {
        return net.tf().reduceSum(table.lookup(sequence), net.tf().constant(2), ReduceSum.keepDims(false));
    }

    private Operand<TFloat32> pool(Operand<TFloat32> query, Operand<TFloat32> keys, Operand<TInt32> lengths,
            int length) {
        if (attention != null) {
            return attention.apply(query, keys, lengths, length);
        }
        Ops tf = net.tf();
        Operand<TFloat32> mask = tf.dtypes.cast(tf.math.less(tf.range(tf.constant(0), tf.constant(length),
                tf.constant(1)), tf.expandDims(lengths, tf.constant(1))), TFloat32.class); // [batch, length]
        Operand<TFloat32> sum = tf.reduceSum(tf.math.mul(keys, tf.expandDims(mask, tf.constant(2))), tf.constant(1),
                ReduceSum.keepDims(false));
        Operand<TFloat32> count = tf.math.maximum(tf.reduceSum(mask, tf.constant(1), ReduceSum.keepDims(true)),
                tf.constant(1f));
        return tf.math.div(sum, count);
    }
}

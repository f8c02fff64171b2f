package dev.transflow.model.nn;

import dev.transflow.model.feature.DomainLayout;
import dev.transflow.model.feature.FeatureGroup;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.schemas.Domain;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Embeds a domain's batch into the four MKT feature groups: user profile, behaviour sequences (target attention
 * over clicked products and posts, with the candidate item as query), entity-shared and entity-specific features.
 * One embedding table holds every categorical feature; numeric features scale a learned vector each.
 */
public final class InputEncoder {

    /**
     * The group vectors of one batch. Without entity-specific features, {@code specific} is one zero column
     * ({@code specificWidth} 1, {@code specificFields} 0).
     */
    public record Encoded(Operand<TFloat32> user, Operand<TFloat32> sequence, Operand<TFloat32> shared,
            Operand<TFloat32> specific, int userWidth, int sequenceWidth, int sharedWidth, int specificWidth,
            int specificFields) {}

    private final Net net;
    private final String name;
    private final String group;
    private final int dim;
    private final EmbeddingTable table;
    private final TargetAttention attention;
    private final Map<Domain, Map<FeatureGroup, Net.Param>> numericWeights = new EnumMap<>(Domain.class);

    public InputEncoder(Net net, String name, String group, SampleEncoder encoder) {
        FeatureSchema schema = encoder.schema();
        this.net = net;
        this.name = name;
        this.group = group;
        this.dim = schema.embeddingDim();
        this.table = new EmbeddingTable(net, name + "/embeddings", group, schema.totalVocabulary(), dim);
        this.attention = new TargetAttention(net, name + "/attention", group, dim, 36);
        for (Domain d : Domain.values()) {
            DomainLayout layout = encoder.layout(d);
            Map<FeatureGroup, Net.Param> weights = new EnumMap<>(FeatureGroup.class);
            for (FeatureGroup g : FeatureGroup.values()) {
                int n = layout.numericCount(g);
                // Numeric user and shared features mean the same in both domains: one weight for both.
                Domain owner = g == FeatureGroup.SPECIFIC ? d : Domain.SOURCE;
                if (n > 0 && owner == d) {
                    weights.put(g, net.uniform(name + "/numeric_" + g.prefix() + "_" + d.name().toLowerCase(),
                            group, 0.05, n, dim));
                } else if (n > 0) {
                    weights.put(g, numericWeights.get(Domain.SOURCE).get(g));
                }
            }
            numericWeights.put(d, weights);
        }
    }

    public EmbeddingTable table() {
        return table;
    }

    public int dim() {
        return dim;
    }

    public Encoded encode(BatchInputs in) {
        Ops tf = net.tf();
        DomainLayout layout = in.layout;
        int catStart = 0;
        int numStart = 0;
        List<Operand<TFloat32>> groups = new ArrayList<>();
        int[] widths = new int[FeatureGroup.values().length];
        for (FeatureGroup g : FeatureGroup.values()) {
            List<Operand<TFloat32>> parts = new ArrayList<>();
            int cats = layout.categoricalCount(g);
            if (cats > 0) {
                Operand<TInt32> idx = tf.slice(in.categorical, tf.constant(new int[] {0, catStart}),
                        tf.constant(new int[] {-1, cats}));
                parts.add(tf.reshape(table.lookup(idx), tf.constant(new long[] {-1, (long) cats * dim})));
            }
            int nums = layout.numericCount(g);
            if (nums > 0) {
                Operand<TFloat32> x = tf.slice(in.numeric, tf.constant(new int[] {0, numStart}),
                        tf.constant(new int[] {-1, nums}));
                Operand<TFloat32> scaled = tf.math.mul(tf.expandDims(x, tf.constant(2)),
                        numericWeights.get(layout.domain()).get(g).read());
                parts.add(tf.reshape(scaled, tf.constant(new long[] {-1, (long) nums * dim})));
            }
            catStart += cats;
            numStart += nums;
            widths[g.ordinal()] = (cats + nums) * dim;
            if (parts.isEmpty()) {
                // A group without features: an empty [batch, 0] block keeps the shapes uniform.
                parts.add(tf.slice(in.numeric, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, 0})));
            }
            groups.add(parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(1)));
        }
        Operand<TInt32> itemIdx = tf.slice(in.categorical, tf.constant(new int[] {0, layout.itemIdPosition()}),
                tf.constant(new int[] {-1, 1}));
        Operand<TFloat32> item = tf.reshape(table.lookup(itemIdx), tf.constant(new long[] {-1, dim}));
        int length = layout.sequenceLength();
        Operand<TFloat32> products = attention.apply(item, table.lookup(in.productSequence), in.productLength,
                length);
        Operand<TFloat32> posts = attention.apply(item, table.lookup(in.postSequence), in.postLength, length);
        Operand<TFloat32> sequence = tf.concat(List.of(products, posts), tf.constant(1));
        int specificFields = layout.categoricalCount(FeatureGroup.SPECIFIC) + layout.numericCount(FeatureGroup.SPECIFIC);
        Operand<TFloat32> specific = groups.get(FeatureGroup.SPECIFIC.ordinal());
        if (specificFields == 0) {
            // No entity-specific features (e.g. Tenrec video): one zero column, so projections still have an input.
            specific = tf.math.mul(tf.slice(item, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, 1})),
                    tf.constant(0f));
        }
        return new Encoded(groups.get(FeatureGroup.USER.ordinal()), sequence, groups.get(FeatureGroup.SHARED.ordinal()),
                specific, widths[FeatureGroup.USER.ordinal()], 2 * dim, widths[FeatureGroup.SHARED.ordinal()],
                Math.max(1, widths[FeatureGroup.SPECIFIC.ordinal()]), specificFields);
    }
}

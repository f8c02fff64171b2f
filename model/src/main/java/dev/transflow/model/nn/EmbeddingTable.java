package dev.transflow.model.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.ArrayList;
import java.util.List;

/**
 * An embedding table updated sparsely: only rows looked up in a batch change. Each lookup is remembered, so an
 * optimizer takes gradients with respect to the gathered rows of the lookups its loss depends on.
 */
public final class EmbeddingTable {

    /** One gather from the table: its output rows and the indices they came from. */
    public record Lookup(EmbeddingTable table, Operand<TFloat32> rows, Operand<TInt32> indices) {}

    private final Net net;
    private final Net.Param param;
    private final int dim;
    private final List<Lookup> lookups = new ArrayList<>();

    public EmbeddingTable(Net net, String name, String group, long rows, int dim) {
        this(net, name, group, rows, dim, 0.05);
    }

    /** Initial values uniform in {@code [-limit, limit]}; 0 starts every row at zero. */
    public EmbeddingTable(Net net, String name, String group, long rows, int dim, double limit) {
        this.net = net;
        this.param = limit == 0 ? net.constant(name, group, 0f, rows, dim) : net.uniform(name, group, limit, rows, dim);
        this.dim = dim;
        net.register(this);
    }

    public Net.Param param() {
        return param;
    }

    public int dim() {
        return dim;
    }

    public List<Lookup> lookups() {
        return lookups;
    }

    /** Rows of {@code indices}: shape {@code indices.shape + [dim]}. */
    public Operand<TFloat32> lookup(Operand<TInt32> indices) {
        Ops tf = net.tf();
        Operand<TFloat32> rows = tf.gather(param.read(), indices, tf.constant(0));
        lookups.add(new Lookup(this, rows, indices));
        return rows;
    }
}

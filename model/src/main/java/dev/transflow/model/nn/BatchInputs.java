package dev.transflow.model.nn;

import dev.transflow.model.feature.DomainLayout;
import dev.transflow.model.feature.EncodedSamples;

import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The placeholders of one domain's batch. Input names (for serving) are {@code <prefix>_categorical} [batch,
 * categorical fields] int32 table rows, {@code <prefix>_numeric} [batch, numeric fields] float32,
 * {@code <prefix>_product_sequence} / {@code <prefix>_post_sequence} [batch, length, attributes] int32 table rows
 * of each element's attributes (item id, then category where the schema has it) with
 * {@code <prefix>_product_length} / {@code <prefix>_post_length} [batch] int32, and {@code <prefix>_label}
 * [batch, 1] float32 (training only).
 */
public final class BatchInputs {

    public final DomainLayout layout;
    public final Placeholder<TInt32> categorical;
    public final Placeholder<TFloat32> numeric;
    public final Placeholder<TInt32> productSequence;
    public final Placeholder<TInt32> productLength;
    public final Placeholder<TInt32> postSequence;
    public final Placeholder<TInt32> postLength;
    public final Placeholder<TFloat32> labels;

    public BatchInputs(Ops tf, String prefix, DomainLayout layout) {
        this.layout = layout;
        int seq = layout.sequenceLength();
        int attrs = layout.sequenceAttributes();
        categorical = tf.withName(prefix + "_categorical").placeholder(TInt32.class,
                Placeholder.shape(Shape.of(-1, layout.categoricalWidth())));
        numeric = tf.withName(prefix + "_numeric").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, layout.numericWidth())));
        productSequence = tf.withName(prefix + "_product_sequence").placeholder(TInt32.class,
                Placeholder.shape(Shape.of(-1, seq, attrs)));
        productLength = tf.withName(prefix + "_product_length").placeholder(TInt32.class,
                Placeholder.shape(Shape.of(-1)));
        postSequence = tf.withName(prefix + "_post_sequence").placeholder(TInt32.class,
                Placeholder.shape(Shape.of(-1, seq, attrs)));
        postLength = tf.withName(prefix + "_post_length").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        labels = tf.withName(prefix + "_label").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
    }

    /**
     * Tensors of rows {@code [from, to)}, fed to a runner; close them after the run. Tensors live off-heap: when
     * one cannot be created or fed, those created before it are closed before the exception leaves.
     */
    public final class Feed implements AutoCloseable {
        private final Map<Operand<?>, Tensor> tensors = new LinkedHashMap<>();

        Feed(Session.Runner runner, EncodedSamples data, int from, int to, boolean withLabels) {
            int n = to - from;
            int seq = layout.sequenceLength();
            int attrs = layout.sequenceAttributes();
            int sw = layout.sequenceWidth();
            int cw = layout.categoricalWidth();
            int nw = layout.numericWidth();
            try {
                tensors.put(categorical, TInt32.tensorOf(Shape.of(n, cw),
                        DataBuffers.of(data.categorical, true, false).slice(from * cw, n * cw)));
                tensors.put(numeric, TFloat32.tensorOf(Shape.of(n, nw),
                        DataBuffers.of(data.numeric, true, false).slice(from * nw, n * nw)));
                tensors.put(productSequence, TInt32.tensorOf(Shape.of(n, seq, attrs),
                        DataBuffers.of(data.productSequence, true, false).slice((long) from * sw, (long) n * sw)));
                tensors.put(productLength, TInt32.tensorOf(Shape.of(n),
                        DataBuffers.of(data.productSequenceLength, true, false).slice(from, n)));
                tensors.put(postSequence, TInt32.tensorOf(Shape.of(n, seq, attrs),
                        DataBuffers.of(data.postSequence, true, false).slice((long) from * sw, (long) n * sw)));
                tensors.put(postLength, TInt32.tensorOf(Shape.of(n),
                        DataBuffers.of(data.postSequenceLength, true, false).slice(from, n)));
                if (withLabels) {
                    tensors.put(labels, TFloat32.tensorOf(Shape.of(n, 1),
                            DataBuffers.of(data.labels, true, false).slice(from, n)));
                }
                tensors.forEach(runner::feed);
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            tensors.values().forEach(Tensor::close);
            tensors.clear();
        }
    }

    /** Feeds rows {@code [from, to)} of {@code data} (labels included) into {@code runner}. */
    public Feed feed(Session.Runner runner, EncodedSamples data, int from, int to, boolean withLabels) {
        if (data.layout != layout) {
            throw new IllegalArgumentException("Samples of domain " + data.domain + " do not fit inputs of domain "
                    + layout.domain());
        }
        return new Feed(runner, data, from, to, withLabels);
    }
}

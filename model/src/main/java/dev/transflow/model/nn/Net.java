package dev.transflow.model.nn;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A graph under construction and the parameters in it. Initial values are drawn in Java and fed once by
 * {@link #initialize(Session)}. Each parameter draws from its own stream, derived from the seed and its name, so
 * two models that share a component (the TEM network in {@code finetune} and {@code mkt}, say) start it from the
 * same weights for the same seed, whatever else either model builds: seeds are paired across models.
 * Every parameter is read through one {@code Identity}: gradients are taken with respect to that read, never the
 * variable itself (gradients through raw reference variables crash TensorFlow's C API).
 */
public final class Net {

    /** A trainable tensor with its initial value. */
    public static final class Param {
        final String name;
        final String group;
        final Variable<TFloat32> variable;
        final Operand<TFloat32> read;
        final Placeholder<TFloat32> initValue;
        final Assign<TFloat32> initOp;
        final long[] shape;
        final boolean trainable;
        float[] initial;

        Param(String name, String group, Variable<TFloat32> variable, Operand<TFloat32> read,
                Placeholder<TFloat32> initValue, Assign<TFloat32> initOp, long[] shape, float[] initial,
                boolean trainable) {
            this.name = name;
            this.group = group;
            this.variable = variable;
            this.read = read;
            this.initValue = initValue;
            this.initOp = initOp;
            this.shape = shape;
            this.initial = initial;
            this.trainable = trainable;
        }

        /** False for statistics (numeric means and deviations) that no optimizer may change. */
        public boolean trainable() {
            return trainable;
        }

        public String name() {
            return name;
        }

        /** The module the parameter belongs to (e.g. {@code mem}, {@code tem}): trainers select by group. */
        public String group() {
            return group;
        }

        public Variable<TFloat32> variable() {
            return variable;
        }

        /** The tensor every computation reads. */
        public Operand<TFloat32> read() {
            return read;
        }

        public long[] shape() {
            return shape.clone();
        }

        public long size() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final Graph graph;
    private final Ops tf;
    private final long seed;
    private final List<Param> params = new ArrayList<>();
    private final List<EmbeddingTable> tables = new ArrayList<>();
    private final List<NumericInput> numerics = new ArrayList<>();
    private final Operand<TFloat32> training;

    public Net(Graph graph, long seed) {
        this.graph = graph;
        this.tf = Ops.create(graph);
        this.seed = seed;
        // 1 while a training step runs, 0 otherwise (the default, so serving and scoring never feed it).
        this.training = tf.withName("training").placeholderWithDefault(tf.constant(0f), Shape.scalar());
    }

    /** The placeholder a training step feeds with 1 (dropout is active only then). */
    public Operand<TFloat32> training() {
        return training;
    }

    /**
     * Inverted dropout of rate {@code rate} while training, identity otherwise:
     * {@code x * floor(keep + u) / keep} with {@code keep = 1 - rate * training}, {@code u ~ U[0, 1)}.
     */
    public Operand<TFloat32> dropout(Operand<TFloat32> x, float rate, String component) {
        if (rate <= 0) {
            return x;
        }
        Operand<TFloat32> keep = tf.math.sub(tf.constant(1f), tf.math.mul(tf.constant(rate), training));
        long opSeed = random(component).nextLong();
        Operand<TFloat32> u = tf.random.randomUniform(tf.shape(x), TFloat32.class,
                org.tensorflow.op.random.RandomUniform.seed(seed).seed2(opSeed));
        return tf.math.div(tf.math.mul(x, tf.math.floor(tf.math.add(keep, u))), keep);
    }
    /** A random stream of its own for {@code component}, the same for the same seed in every model. */
    public SplittableRandom random(String component) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < component.length(); i++) {
            h = (h ^ component.charAt(i)) * 0x100000001B3L;
        }
        return new SplittableRandom(h);
    }

    public Graph graph() {
        return graph;
    }

    public Ops tf() {
        return tf;
    }

    public List<Param> params() {
        return params;
    }

    public List<EmbeddingTable> tables() {
        return tables;
    }

    /** Trainable parameters of a group, embedding tables excluded. */
    public List<Param> params(String group) {
        List<Param> out = new ArrayList<>();
        for (Param p : params) {
            if (p.group.equals(group) && p.trainable && tables.stream().noneMatch(t -> t.param() == p)) {
                out.add(p);
            }
        }
        return out;
    }

    public List<EmbeddingTable> tables(String group) {
        return tables.stream().filter(t -> t.param().group.equals(group)).toList();
    }

    /** A dense weight with Glorot-uniform initial values (fan-in, fan-out from the last two dimensions). */
    public Param glorot(String name, String group, long... shape) {
        long fanIn = shape.length > 1 ? shape[shape.length - 2] : shape[0];
        long fanOut = shape[shape.length - 1];
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        return param(name, group, shape, limit, 0, true);
    }

    /** A bias or other parameter filled with {@code value}. */
    public Param constant(String name, String group, float value, long... shape) {
        return param(name, group, shape, 0, value, true);
    }

    /**
     * A value set from data rather than learned (e.g. a numeric feature's mean): part of checkpoints and snapshots
     * like any parameter, never in an optimizer's list.
     */
    public Param statistic(String name, String group, float value, long... shape) {
        return param(name, group, shape, 0, value, false);
    }

    /** A parameter drawn uniformly from {@code [-limit, limit]}. */
    public Param uniform(String name, String group, double limit, long... shape) {
        return param(name, group, shape, limit, 0, true);
    }

    void register(EmbeddingTable table) {
        tables.add(table);
    }

    void register(NumericInput numeric) {
        numerics.add(numeric);
    }

    /** Every domain's numeric inputs, whose statistics a model sets from its training rows. */
    public List<NumericInput> numericInputs() {
        return numerics;
    }

    private Param param(String name, String group, long[] shape, double limit, float fill, boolean trainable) {
        for (Param p : params) {
            if (p.name.equals(name)) {
                throw new IllegalArgumentException("Parameter " + name + " exists already");
            }
        }
        Ops scope = tf.withSubScope(group);
        Shape s = Shape.of(shape);
        Variable<TFloat32> variable = scope.withName(name.replace('/', '_')).variable(s, TFloat32.class);
        Operand<TFloat32> read = scope.withName(name.replace('/', '_') + "_read").identity(variable);
        Placeholder<TFloat32> init = scope.withName(name.replace('/', '_') + "_init").placeholder(TFloat32.class,
                Placeholder.shape(s));
        Assign<TFloat32> assign = scope.assign(variable, init);
        long n = s.size();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Parameter " + name + " is too large: " + n + " values");
        }
        float[] values = new float[(int) n];
        SplittableRandom random = limit == 0 ? null : random(group + "/" + name);
        for (int i = 0; i < values.length; i++) {
            values[i] = limit == 0 ? fill : (float) ((random.nextDouble() * 2 - 1) * limit);
        }
        Param p = new Param(name, group, variable, read, init, assign, shape, values, trainable);
        params.add(p);
        return p;
    }

    /** Assigns every parameter its initial value; call once per session, after the graph is complete. */
    public void initialize(Session session) {
        List<Tensor> feeds = new ArrayList<>();
        try {
            Session.Runner runner = session.runner();
            for (Param p : params) {
                if (p.initial == null) {
                    continue;
                }
                TFloat32 value = TFloat32.tensorOf(Shape.of(p.shape), DataBuffers.of(p.initial, true, false));
                feeds.add(value);
                runner.feed(p.initValue, value).addTarget(p.initOp);
            }
            runner.run();
        } finally {
            feeds.forEach(Tensor::close);
        }
        // Initial values are needed once; drop them so large tables do not stay on the heap twice.
        params.forEach(p -> p.initial = null);
    }

    /** Current values of {@code params} in one session run, e.g. the best weights seen so far. */
    public Map<Param, float[]> read(Session session, List<Param> params) {
        Map<Param, float[]> out = new LinkedHashMap<>();
        if (params.isEmpty()) {
            return out;
        }
        Session.Runner runner = session.runner();
        params.forEach(p -> runner.fetch(p.read));
        try (var result = runner.run()) {
            for (int i = 0; i < params.size(); i++) {
                float[] values = new float[(int) params.get(i).size()];
                ((TFloat32) result.get(i)).copyTo(DataBuffers.of(values, false, false));
                out.put(params.get(i), values);
            }
        }
        return out;
    }

    /** Overwrites the given parameters in one session run, e.g. a frozen module swapped for a newer version. */
    public void assign(Session session, Map<Param, float[]> values) {
        List<Tensor> feeds = new ArrayList<>();
        try {
            Session.Runner runner = session.runner();
            for (Map.Entry<Param, float[]> e : values.entrySet()) {
                Param p = e.getKey();
                if (e.getValue().length != p.size()) {
                    throw new IllegalArgumentException("Parameter " + p.name + " holds " + p.size()
                            + " values, got " + e.getValue().length);
                }
                TFloat32 value = TFloat32.tensorOf(Shape.of(p.shape), DataBuffers.of(e.getValue(), true, false));
                feeds.add(value);
                runner.feed(p.initValue, value).addTarget(p.initOp);
            }
            runner.run();
        } finally {
            feeds.forEach(Tensor::close);
        }
    }
}

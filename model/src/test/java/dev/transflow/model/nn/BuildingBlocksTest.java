package dev.transflow.model.nn;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Each block against the equation it implements, computed in plain Java from the block's own weights. */
class BuildingBlocksTest {

    private static float[] run(Session session, Operand<TFloat32> out, int size) {
        try (var result = session.runner().fetch(out).run()) {
            float[] values = new float[size];
            ((TFloat32) result.get(0)).copyTo(DataBuffers.of(values, false, false));
            return values;
        }
    }

    private static float[] fetch(Session session, Net.Param p) {
        return run(session, p.read(), (int) p.size());
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void crossNetworkComputesExplicitCrosses() {
        int batch = 3;
        int width = 4;
        float[] x = random(batch * width, 1);
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Net net = new Net(graph, 7);
            Ops tf = net.tf();
            CrossNetwork cross = new CrossNetwork(net, "cross", "test", width, 2);
            Operand<TFloat32> out = cross.apply(tf.constant(Shape.of(batch, width), DataBuffers.of(x, true, false)));
            net.initialize(session);
            float[] w0 = fetch(session, net.params().get(0));
            float[] b0 = fetch(session, net.params().get(1));
            float[] w1 = fetch(session, net.params().get(2));
            float[] b1 = fetch(session, net.params().get(3));

            float[] got = run(session, out, batch * width);

            for (int r = 0; r < batch; r++) {
                float[] x0 = java.util.Arrays.copyOfRange(x, r * width, (r + 1) * width);
                float[] x1 = layer(x0, x0, w0, b0);
                float[] x2 = layer(x0, x1, w1, b1);
                for (int j = 0; j < width; j++) {
                    assertThat(got[r * width + j]).isCloseTo(x2[j], within(1e-4f));
                }
            }
        }
    }

    /** x_{l+1} = x0 * (x_l . w) + b + x_l */
    private static float[] layer(float[] x0, float[] xl, float[] w, float[] b) {
        float dot = 0;
        for (int j = 0; j < xl.length; j++) {
            dot += xl[j] * w[j];
        }
        float[] out = new float[xl.length];
        for (int j = 0; j < xl.length; j++) {
            out[j] = x0[j] * dot + b[j] + xl[j];
        }
        return out;
    }

    @Test
    void knowledgeGateIsAGatedLinearUnit() {
        float[] m = random(2 * 3, 2);
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Net net = new Net(graph, 3);
            KnowledgeGate gate = new KnowledgeGate(net, "gate", "test", 3, 2);
            Operand<TFloat32> out = gate.apply(net.tf().constant(Shape.of(2, 3), DataBuffers.of(m, true, false)));
            net.initialize(session);
            float[] w1 = fetch(session, net.params().get(0));
            float[] b1 = fetch(session, net.params().get(1));
            float[] w2 = fetch(session, net.params().get(2));
            float[] b2 = fetch(session, net.params().get(3));

            float[] got = run(session, out, 4);

            for (int r = 0; r < 2; r++) {
                for (int j = 0; j < 2; j++) {
                    double value = b1[j];
                    double gateLogit = b2[j];
                    for (int i = 0; i < 3; i++) {
                        value += m[r * 3 + i] * w1[i * 2 + j];
                        gateLogit += m[r * 3 + i] * w2[i * 2 + j];
                    }
                    assertThat((double) got[r * 2 + j]).isCloseTo(value / (1 + Math.exp(-gateLogit)), within(1e-5));
                }
            }
        }
    }

    @Test
    void targetAttentionIgnoresPaddingAndPoolsEmptySequencesToZero() {
        int dim = 4;
        int length = 3;
        float[] query = random(2 * dim, 4);
        float[] keysA = random(2 * length * dim, 5);
        float[] keysB = keysA.clone();
        // Row 0 has 2 valid elements: change its padding; row 1 is empty: change everything.
        for (int j = 0; j < dim; j++) {
            keysB[2 * dim + j] += 10;
            keysB[length * dim + j] -= 3;
        }
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Net net = new Net(graph, 5);
            Ops tf = net.tf();
            TargetAttention attention = new TargetAttention(net, "att", "test", dim, 8);
            Operand<TFloat32> q = tf.constant(Shape.of(2, dim), DataBuffers.of(query, true, false));
            Operand<TInt32> lengths = tf.constant(new int[] {2, 0});
            Operand<TFloat32> a = attention.apply(q, tf.constant(Shape.of(2, length, dim),
                    DataBuffers.of(keysA, true, false)), lengths, length);
            Operand<TFloat32> b = attention.apply(q, tf.constant(Shape.of(2, length, dim),
                    DataBuffers.of(keysB, true, false)), lengths, length);
            net.initialize(session);

            float[] outA = run(session, a, 2 * dim);
            float[] outB = run(session, b, 2 * dim);

            assertThat(outB).containsExactly(outA, within(1e-6f));
            for (int j = 0; j < dim; j++) {
                assertThat(outA[dim + j]).isZero();
                // A convex combination of the two valid keys lies between them.
                float lo = Math.min(keysA[j], keysA[dim + j]);
                float hi = Math.max(keysA[j], keysA[dim + j]);
                assertThat(outA[j]).isBetween(lo - 1e-5f, hi + 1e-5f);
            }
        }
    }

    @Test
    void cosineAndBinaryCrossEntropy() {
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            Operand<TFloat32> a = tf.constant(new float[][] {{1, 0}, {1, 1}});
            Operand<TFloat32> b = tf.constant(new float[][] {{0, 1}, {2, 2}});
            float[] cos = run(session, Losses.cosine(tf, a, b), 2);
            assertThat(cos[0]).isCloseTo(0f, within(1e-6f));
            assertThat(cos[1]).isCloseTo(1f, within(1e-6f));

            Operand<TFloat32> logits = tf.constant(new float[][] {{2f}, {-1f}});
            Operand<TFloat32> labels = tf.constant(new float[][] {{1f}, {0f}});
            float[] bce = run(session, Losses.binaryCrossEntropy(tf, logits, labels), 1);
            double expected = (Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1))) / 2;
            assertThat((double) bce[0]).isCloseTo(expected, within(1e-6));
        }
    }
}

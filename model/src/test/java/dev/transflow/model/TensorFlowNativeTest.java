package dev.transflow.model;

import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

import java.io.File;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TensorFlow native library of the selected classifier loads, unpacks where configured, and trains.
 * Everything in this module builds on that.
 */
class TensorFlowNativeTest {

    @Test
    void nativeLibraryLoadsAndAGradientStepRuns() {
        assertThat(TensorFlow.version()).startsWith("2.");
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            // Minimise (w - 3)^2 from w = 0 with one plain gradient step of rate 0.25: w becomes 1.5.
            Variable<TFloat32> w = tf.withName("w").variable(tf.constant(0f));
            var loss = tf.math.square(tf.math.sub(tf.identity(w), tf.constant(3f)));
            var grad = graph.addGradients(loss.asOutput(), new org.tensorflow.Output<?>[] {w.asOutput()})[0];
            @SuppressWarnings("unchecked")
            var step = tf.assignSub(w, tf.math.mul((org.tensorflow.Operand<TFloat32>) grad, tf.constant(0.25f)));
            session.initialize();
            session.runner().addTarget(step).run();
            try (var result = (TFloat32) session.runner().fetch(w).run().get(0)) {
                assertThat(result.getFloat()).isEqualTo(1.5f);
            }
        }
    }

    @Test
    void javacppCacheDirectoryIsTheConfiguredOne() throws IOException {
        String configured = System.getProperty("org.bytedeco.javacpp.cachedir");
        assertThat(configured).as("surefire passes -Dorg.bytedeco.javacpp.cachedir").isNotBlank();
        TensorFlow.version();
        assertThat(Loader.getCacheDir().getCanonicalFile()).isEqualTo(new File(configured).getCanonicalFile());
    }
}

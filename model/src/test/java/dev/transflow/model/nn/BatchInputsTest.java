package dev.transflow.model.nn;

import dev.transflow.model.TinyWorld;
import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.schemas.Domain;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchInputsTest {

    @Test
    void aFeedThatFailsClosesTheTensorsItCreated() {
        SampleEncoder encoder = new SampleEncoder(TinyWorld.schema());
        EncodedSamples data = encoder.encode(new TinyWorld(64, 0, 1).source, List.of()).get(Domain.SOURCE);
        try (Graph graph = new Graph(); Graph other = new Graph(); Session otherSession = new Session(other)) {
            BatchInputs inputs = new BatchInputs(Ops.create(graph), "source", encoder.layout(Domain.SOURCE));
            int attempts = 200;
            // Every tensor of the feed exists before the first is fed, and feeding into a session of another graph
            // fails: each attempt leaves seven tensors behind unless the feed closes them.
            long before = Pointer.totalCount();
            for (int i = 0; i < attempts; i++) {
                assertThatThrownBy(() -> inputs.feed(otherSession.runner(), data, 0, 32, true))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("different graph");
            }
            long leaked = Pointer.totalCount() - before;

            // Not exactly 0: the garbage collector may free unrelated native objects meanwhile, or TensorFlow
            // allocate some of its own; a leak would be at least one tensor per attempt.
            assertThat(leaked).as("native objects left after %d failed feeds", attempts).isLessThan(attempts);
        }
    }
}

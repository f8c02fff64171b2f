package dev.transflow.model.train;

import dev.transflow.model.TinyWorld;
import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.registry.ModelRegistry;
import dev.transflow.schemas.Domain;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelCheckpointTest {

    private static final ModelConfig CONFIG = ModelConfig.defaults().withBatchSize(128);
    private static SampleEncoder encoder;
    private static EncodedSamples target;

    @BeforeAll
    static void data() {
        TinyWorld world = new TinyWorld(500, 1_000, 5);
        encoder = new SampleEncoder(TinyWorld.schema());
        target = encoder.encode(world.source, world.target).get(Domain.TARGET);
    }

    @Test
    void bytesRestoreWeightsAndOptimizerStateIntoAFreshModel() {
        try (StreamingModel trained = ModelRegistry.create("lr", encoder, CONFIG, 1);
                StreamingModel fresh = ModelRegistry.create("lr", encoder, CONFIG, 2)) {
            trained.trainTarget(target, 0, 500);
            byte[] state = trained.checkpointBytes();
            assertThat(fresh.predict(target, 500, 1_000)).isNotEqualTo(trained.predict(target, 500, 1_000));

            fresh.restoreCheckpointBytes(state);
            assertThat(fresh.predict(target, 500, 1_000)).containsExactly(trained.predict(target, 500, 1_000));
            // The same next step from the same optimizer slots: both stay identical.
            trained.trainTarget(target, 500, 750);
            fresh.trainTarget(target, 500, 750);
            assertThat(fresh.predict(target, 750, 1_000)).containsExactly(trained.predict(target, 750, 1_000));
        }
    }

    @Test
    void bytesAreTheCheckpointFilesInNameOrder() throws IOException {
        try (StreamingModel model = ModelRegistry.create("lr", encoder, CONFIG, 1)) {
            byte[] state = model.checkpointBytes();
            // Running jobs' checkpoints hold this layout: a count, then name, length and content per file.
            List<String> names = new ArrayList<>();
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
                int count = in.readInt();
                for (int i = 0; i < count; i++) {
                    names.add(in.readUTF());
                    in.readFully(new byte[in.readInt()]);
                }
                assertThat(in.available()).isZero();
            }
            assertThat(names).isSorted().contains(ModelCheckpoint.PREFIX + ".index")
                    .anySatisfy(n -> assertThat(n).startsWith(ModelCheckpoint.PREFIX + ".data-"));
        }
    }

    @Test
    void truncatedOrCorruptBytesAreRejectedWithoutTouchingTheModel() {
        try (StreamingModel model = ModelRegistry.create("lr", encoder, CONFIG, 1)) {
            model.trainTarget(target, 0, 500);
            byte[] state = model.checkpointBytes();
            float[] before = model.predict(target, 500, 1_000);

            assertThatThrownBy(() -> model.restoreCheckpointBytes(Arrays.copyOf(state, state.length - 10)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("truncated or corrupt");
            assertThatThrownBy(() -> model.restoreCheckpointBytes(Arrays.copyOf(state, 2)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("truncated or corrupt");
            byte[] badCount = state.clone();
            ByteBuffer.wrap(badCount).putInt(0, Integer.MAX_VALUE);
            assertThatThrownBy(() -> model.restoreCheckpointBytes(badCount))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("claims " + Integer.MAX_VALUE + " files");
            assertThatThrownBy(() -> model.restoreCheckpointBytes("not a model".getBytes()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("truncated or corrupt");
            assertThat(model.predict(target, 500, 1_000)).containsExactly(before);
        }
    }
}

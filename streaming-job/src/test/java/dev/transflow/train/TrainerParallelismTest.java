package dev.transflow.train;

import dev.transflow.job.MemJob;
import dev.transflow.job.TemJob;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.simulate.World;
import dev.transflow.snapshot.SnapshotOptions;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The trainers train one model each and cannot be rescaled: the jobs pin them to one subtask whatever the default
 * parallelism, and a trainer started as one of several subtasks refuses to run.
 */
class TrainerParallelismTest {

    private static final FeatureSchema SCHEMA = FeatureSchema.infer(World.SOURCE_LAYOUT, World.TARGET_LAYOUT,
            1 << 10, 100);

    @TempDir
    Path dir;

    private Configuration config() {
        Configuration config = new Configuration();
        config.set(SnapshotOptions.DIR, dir.toString());
        return config;
    }

    /** The stream graph of a job built in an environment whose default parallelism is 2. */
    private static StreamGraph graphAtParallelism2(Consumer<StreamExecutionEnvironment> job) {
        Configuration env = new Configuration();
        env.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        StreamExecutionEnvironment e = StreamExecutionEnvironment.getExecutionEnvironment(env);
        job.accept(e);
        return e.getStreamGraph();
    }

    private static StreamNode node(StreamGraph graph, String uid) {
        return graph.getStreamNodes().stream().filter(n -> uid.equals(n.getTransformationUID())).findFirst()
                .orElseThrow(() -> new AssertionError("no operator with uid " + uid));
    }

    @Test
    void theJobsPinTheirTrainersToOneSubtaskWhenTheDefaultParallelismIsTwo() {
        // Nothing connects to the broker while the graph is built.
        StreamGraph mem = graphAtParallelism2(env -> MemJob.build(env, "localhost:1", MemJob.NAME, config(), false));
        assertThat(node(mem, MemTrainer.UID)).satisfies(n -> {
            assertThat(n.getParallelism()).isEqualTo(1);
            assertThat(n.getMaxParallelism()).isEqualTo(1);
        });
        assertThat(node(mem, "decode-samples").getParallelism()).as("the default applies elsewhere").isEqualTo(2);

        StreamGraph tem = graphAtParallelism2(env -> TemJob.build(env, "localhost:1", TemJob.NAME, config(), false,
                null));
        assertThat(node(tem, TemTrainer.UID)).satisfies(n -> {
            assertThat(n.getParallelism()).isEqualTo(1);
            assertThat(n.getMaxParallelism()).isEqualTo(1);
        });
        assertThat(node(tem, "sample-join").getParallelism()).as("the sample join scales").isEqualTo(2);
    }

    @Test
    void aMemTrainerStartedAsOneOfTwoSubtasksFailsNamingWhatToDo() throws Exception {
        MemTrainer trainer = new MemTrainer(SCHEMA, config());
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(trainer), 2, 2, 1)) {
            assertThatThrownBy(h::open).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("MEM trainer")
                    .hasMessageContaining("'" + MemTrainer.UID + "'")
                    .hasMessageContaining("runs at parallelism 2")
                    .hasMessageContaining("must run at parallelism 1")
                    .hasMessageContaining(PipelineOptions.PARALLELISM_OVERRIDES.key());
        }
    }

    @Test
    void aTemTrainerStartedAsOneOfTwoSubtasksFailsNamingWhatToDo() throws Exception {
        Configuration config = config();
        config.set(TrainerOptions.MODEL, "mlp");
        TemTrainer trainer = new TemTrainer(SCHEMA, config);
        try (var h = new BroadcastOperatorTestHarness<>(new CoBroadcastWithNonKeyedOperator<>(trainer,
                List.of(TemTrainer.ANNOUNCEMENTS)), 2, 2, 0)) {
            assertThatThrownBy(h::open).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("TEM trainer")
                    .hasMessageContaining("'" + TemTrainer.UID + "'")
                    .hasMessageContaining("runs at parallelism 2")
                    .hasMessageContaining(PipelineOptions.PARALLELISM_OVERRIDES.key());
        }
    }
}

package dev.transflow.it;

import dev.transflow.cli.TransflowCli;
import dev.transflow.job.SampleJob;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.schemas.Prediction;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.simulate.World;
import dev.transflow.topic.Topic;
import dev.transflow.train.PrequentialTrainer;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Simulator -> Kafka -> samples -> prequential target trainer on a MiniCluster -> predictions on Kafka. */
class TrainerJobTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void everyFullBatchOfTargetSamplesIsScoredThenTrained() throws Exception {
        int impressions = 16_000;
        var cli = TransflowCli.newCommandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        assertThat(cli.execute("simulate", "--seed", "4", "--impressions", Integer.toString(impressions),
                "--bootstrap", KAFKA.bootstrapServers())).isZero();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        FeatureSchema schema = FeatureSchema.infer(World.SOURCE_LAYOUT, World.TARGET_LAYOUT, 1 << 16, 1_000);
        Configuration config = new Configuration();
        SampleJob.buildWithTrainer(env, KAFKA.bootstrapServers(), "trainer-job-test", config, true,
                new PrequentialTrainer(schema, "mlp", 128, 1, 1_000));
        env.execute("trainer job test");

        List<Prediction> predictions = new ArrayList<>();
        EventCodec<Prediction> codec = EventCodec.of(Prediction.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KAFKA.consumerProperties("check"))) {
            consumer.subscribe(List.of(Topic.PREDICTIONS.topicName()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int empty = 0;
            while (System.nanoTime() < deadline && (predictions.isEmpty() || empty < 2)) {
                var records = consumer.poll(Duration.ofMillis(500));
                empty = records.isEmpty() ? empty + 1 : 0;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    predictions.add(codec.decode(r.value()));
                }
            }
        }

        // About a quarter of the impressions are posts; the trainer scores full batches of 128.
        assertThat(predictions.size()).isBetween(3_500, 4_100);
        assertThat(predictions.size() % 128).isZero();
        assertThat(predictions.stream().map(Prediction::getImpressionId).distinct().count())
                .isEqualTo(predictions.size());
        // Both labels reach the trainer. (Replaying a backlog this fast, watermarks only advance at the end of input,
        // so negatives arrive after the positives; prequential AUC is measured on a paced stream, not here.)
        assertThat(predictions).extracting(Prediction::getLabel).contains(0, 1);
        assertThat(predictions).allSatisfy(p -> assertThat(p.getScore()).isBetween(0.0, 1.0));
    }
}

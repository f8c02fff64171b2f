package dev.transflow.it;

import dev.transflow.cli.TransflowCli;
import dev.transflow.job.SampleJob;
import dev.transflow.schemas.Click;
import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.topic.Topic;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Simulator -> Kafka -> sample pipeline on a local Flink MiniCluster -> Kafka, read back and checked. */
class SampleJobTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final int IMPRESSIONS = 4_000;
    private static List<LabeledSample> samples;
    private static List<Click> clicks;
    private static List<Click> lateClicks;
    private static List<DeadLetter> deadLetters;

    @BeforeAll
    static void runPipeline() throws Exception {
        var cli = TransflowCli.newCommandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        assertThat(cli.execute("simulate", "--seed", "3", "--impressions", Integer.toString(IMPRESSIONS),
                "--bootstrap", KAFKA.bootstrapServers())).as(err.toString()).isZero();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KAFKA.producerProperties())) {
            producer.send(new ProducerRecord<>(Topic.POST_IMPRESSIONS.topicName(), "not avro".getBytes(
                    StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(Topic.CLICKS.topicName(), new byte[] {(byte) 0xC3, 1, 2, 3})).get();
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        SampleJob.build(env, KAFKA.bootstrapServers(), "sample-job-test", new Configuration(), true);
        env.execute("sample job test");

        samples = read(Topic.SAMPLES, LabeledSample.class, IMPRESSIONS);
        clicks = read(Topic.CLICKS, Click.class, 1);
        lateClicks = read(Topic.LATE_CLICKS, Click.class, 1);
        deadLetters = read(Topic.DEAD_LETTERS, DeadLetter.class, 2);
    }

    private static <T extends SpecificRecord> List<T> read(Topic topic, Class<T> type, int atLeast) throws Exception {
        EventCodec<T> codec = EventCodec.of(type);
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KAFKA.consumerProperties(
                "check-" + topic.topicName()))) {
            consumer.subscribe(List.of(topic.topicName()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int emptyPolls = 0;
            while (System.nanoTime() < deadline && (out.size() < atLeast || emptyPolls < 2)) {
                var records = consumer.poll(Duration.ofMillis(500));
                emptyPolls = records.isEmpty() ? emptyPolls + 1 : 0;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    try {
                        out.add(codec.decode(r.value()));
                    } catch (Exception e) {
                        if (topic != Topic.CLICKS) {
                            throw e;
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void everyImpressionGetsExactlyOneLabel() {
        assertThat(samples).hasSize(IMPRESSIONS);
        assertThat(samples.stream().map(LabeledSample::getImpressionId).distinct().count()).isEqualTo(IMPRESSIONS);
    }

    @Test
    void everyClickIsEitherAPositiveOrALateClick() {
        long positives = samples.stream().filter(s -> s.getLabel() == 1).count();
        assertThat(positives).isPositive();
        assertThat(positives + lateClicks.size()).isEqualTo(clicks.size());
        Map<String, Long> impressionTime = new HashMap<>();
        samples.forEach(s -> impressionTime.put(s.getImpressionId(), s.getImpressionTime()));
        long window = Duration.ofMinutes(5).toMillis();
        for (Click late : lateClicks) {
            assertThat(late.getEventTime() - impressionTime.get(late.getImpressionId())).isGreaterThan(window);
        }
        samples.stream().filter(s -> s.getLabel() == 0).forEach(s ->
                assertThat(s.getLabelTime()).isEqualTo(s.getImpressionTime() + window));
    }

    @Test
    void samplesCarryHistoryOnlyFromEarlierClicks() {
        long withHistory = samples.stream().filter(s -> !s.getClickedProducts().isEmpty()).count();
        assertThat(withHistory).isPositive();
        for (LabeledSample s : samples) {
            s.getClickedProducts().forEach(c -> assertThat(c.getClickTime()).isLessThan(s.getImpressionTime()));
            s.getClickedPosts().forEach(c -> assertThat(c.getClickTime()).isLessThan(s.getImpressionTime()));
            assertThat(s.getClickedProducts().size()).isLessThanOrEqualTo(10);
        }
    }

    @Test
    void badRecordsBecomeDeadLettersWithTheirReason() {
        assertThat(deadLetters).extracting(DeadLetter::getReasonCode)
                .containsExactlyInAnyOrder("NOT_SINGLE_OBJECT", "NOT_SINGLE_OBJECT");
        assertThat(deadLetters).extracting(DeadLetter::getSourceTopic)
                .containsExactlyInAnyOrder(Topic.POST_IMPRESSIONS.topicName(), Topic.CLICKS.topicName());
    }
}

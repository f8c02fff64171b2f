package dev.transflow.it;

import dev.transflow.cli.TransflowCli;
import dev.transflow.model.feature.GenericCsvReader;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.schemas.Click;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.ProductImpression;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.simulate.CsvSink;
import dev.transflow.topic.Topic;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * simulate -> CSV -> replay -> Kafka carries the same events as simulate -> Kafka, and replay reports bad rows.
 * All runs share one broker; runs are told apart by their impression id prefixes.
 */
class SimulateReplayTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final int IMPRESSIONS = 3_000;
    private static final long SEED = 17;

    @TempDir
    static Path dir;

    private static final Map<Topic, List<ConsumerRecord<byte[], byte[]>>> records = new HashMap<>();
    private static String replayErr;
    private static String replayOut;

    private record Run(int exitCode, String out, String err) {}

    private static Run transflow(String... args) {
        CommandLine cli = TransflowCli.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void simulateAndReplay() throws IOException {
        Path csv = dir.resolve("sim");
        Run files = transflow("simulate", "--seed", Long.toString(SEED), "--impressions", Integer.toString(IMPRESSIONS),
                "--out", csv.toString());
        assertThat(files.exitCode()).as(files.err()).isZero();
        assertThat(files.out()).contains("oracle_auc=");

        Run kafka = transflow("simulate", "--seed", Long.toString(SEED), "--impressions",
                Integer.toString(IMPRESSIONS), "--bootstrap", KAFKA.bootstrapServers());
        assertThat(kafka.exitCode()).as(kafka.err()).isZero();

        // A copy of the target file with bad rows appended: they must be reported, the rest replayed.
        Path target = dir.resolve("target-with-bad-rows.csv");
        List<String> lines = new ArrayList<>(Files.readAllLines(csv.resolve(CsvSink.TARGET_FILE)));
        int header = lines.get(0).split(",", -1).length;
        lines.add("not-a-time" + ",u1,t1,0" + ",".repeat(header - 4));
        lines.add("1767225600000,u1,t1,yes" + ",".repeat(header - 4));
        Files.write(target, lines);

        Run replay = transflow("replay", "--source", csv.resolve(CsvSink.SOURCE_FILE).toString(), "--target",
                target.toString(), "--bootstrap", KAFKA.bootstrapServers(), "--click-delay", "1s");
        assertThat(replay.exitCode()).as(replay.err()).isZero();
        replayOut = replay.out();
        replayErr = replay.err();

        long expected = 2L * IMPRESSIONS;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KAFKA.consumerProperties("check"))) {
            consumer.subscribe(List.of(Topic.PRODUCT_IMPRESSIONS.topicName(), Topic.POST_IMPRESSIONS.topicName(),
                    Topic.CLICKS.topicName()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long impressions = 0;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    Topic topic = topicOf(r.topic());
                    records.computeIfAbsent(topic, t -> new ArrayList<>()).add(r);
                    if (topic != Topic.CLICKS) {
                        impressions++;
                    }
                }
                if (impressions >= expected && consumer.poll(Duration.ofSeconds(1)).isEmpty()) {
                    break;
                }
            }
        }
    }

    private static Topic topicOf(String name) {
        for (Topic t : Topic.values()) {
            if (t.topicName().equals(name)) {
                return t;
            }
        }
        throw new AssertionError(name);
    }

    private static <T extends SpecificRecordBase> List<T> decode(Topic topic, Class<T> type) {
        EventCodec<T> codec = EventCodec.of(type);
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records.getOrDefault(topic, List.of())) {
            try {
                out.add(codec.decode(r.value()));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    /** The impression without its id, which differs between the simulator and the replay. */
    private static String withoutId(SpecificRecordBase impression, String id) {
        return impression.toString().replace(id, "");
    }

    @Test
    void replayedImpressionsEqualTheSimulatedOnes() {
        for (Topic topic : List.of(Topic.PRODUCT_IMPRESSIONS, Topic.POST_IMPRESSIONS)) {
            List<String> simulated = new ArrayList<>();
            List<String> replayed = new ArrayList<>();
            if (topic == Topic.PRODUCT_IMPRESSIONS) {
                for (ProductImpression p : decode(topic, ProductImpression.class)) {
                    (p.getImpressionId().startsWith("s" + SEED + "-") ? simulated : replayed)
                            .add(withoutId(p, p.getImpressionId()));
                }
            } else {
                for (PostImpression p : decode(topic, PostImpression.class)) {
                    (p.getImpressionId().startsWith("s" + SEED + "-") ? simulated : replayed)
                            .add(withoutId(p, p.getImpressionId()));
                }
            }
            assertThat(simulated).as(topic.topicName()).isNotEmpty();
            assertThat(replayed).as(topic.topicName()).containsExactlyInAnyOrderElementsOf(simulated);
        }
    }

    @Test
    void everyClickedRowHasExactlyOneClickInEachRun() throws IOException {
        long labeled = 0;
        for (String file : List.of(CsvSink.SOURCE_FILE, CsvSink.TARGET_FILE)) {
            labeled += GenericCsvReader.readAll(dir.resolve("sim").resolve(file), GenericCsvReader.FAIL).stream()
                    .filter(r -> r.label() == 1).count();
        }
        List<Click> clicks = decode(Topic.CLICKS, Click.class);
        Map<Boolean, List<Click>> byRun = clicks.stream()
                .collect(Collectors.partitioningBy(c -> c.getImpressionId().startsWith("s" + SEED + "-")));

        assertThat(labeled).isPositive();
        assertThat(byRun.get(true)).hasSize((int) labeled);
        assertThat(byRun.get(false)).hasSize((int) labeled);
        assertThat(clicks.stream().map(Click::getImpressionId).distinct().count()).isEqualTo(2 * labeled);
        assertThat(replayOut).contains(labeled + " clicks");
    }

    @Test
    void eventsArriveInEventTimeOrderPerPartition() {
        for (Map.Entry<Topic, List<ConsumerRecord<byte[], byte[]>>> topic : records.entrySet()) {
            Map<Integer, Long> last = new HashMap<>();
            Map<Integer, String> lastRun = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : topic.getValue()) {
                // The three runs follow each other; order holds within each run's stretch of the partition.
                String run = new String(r.value(), java.nio.charset.StandardCharsets.ISO_8859_1).contains("replay-")
                        ? "replay" : "sim";
                if (run.equals(lastRun.get(r.partition()))) {
                    assertThat(r.timestamp()).as("%s-%d", topic.getKey().topicName(), r.partition())
                            .isGreaterThanOrEqualTo(last.get(r.partition()));
                }
                last.put(r.partition(), r.timestamp());
                lastRun.put(r.partition(), run);
            }
        }
    }

    @Test
    void badRowsAreReportedWithFileAndLine() {
        assertThat(replayErr).contains("target-with-bad-rows.csv:").contains("timestamp 'not-a-time'")
                .contains("label must be 0 or 1, got 'yes'");
        assertThat(replayOut).contains("bad rows: 2");
    }

    @Test
    void someSimulatedClicksAreLate() {
        Map<String, Long> impressionTimes = new HashMap<>();
        for (PostImpression p : decode(Topic.POST_IMPRESSIONS, PostImpression.class)) {
            impressionTimes.put(p.getImpressionId(), p.getEventTime());
        }
        for (ProductImpression p : decode(Topic.PRODUCT_IMPRESSIONS, ProductImpression.class)) {
            impressionTimes.put(p.getImpressionId(), p.getEventTime());
        }
        List<Long> delays = decode(Topic.CLICKS, Click.class).stream()
                .filter(c -> c.getImpressionId().startsWith("s" + SEED + "-"))
                .map(c -> c.getEventTime() - impressionTimes.get(c.getImpressionId()))
                .toList();

        assertThat(delays).allMatch(d -> d > 0);
        assertThat(delays).anyMatch(d -> d > Duration.ofMinutes(5).toMillis());
        assertThat(delays).anyMatch(d -> d < Duration.ofSeconds(10).toMillis());
    }

    @Test
    void csvRowsMatchTheirImpressions() throws IOException {
        List<InteractionRow> rows = GenericCsvReader.readAll(dir.resolve("sim").resolve(CsvSink.TARGET_FILE),
                GenericCsvReader.FAIL);
        List<PostImpression> replayed = decode(Topic.POST_IMPRESSIONS, PostImpression.class).stream()
                .filter(p -> p.getImpressionId().startsWith("replay-")).toList();

        assertThat(replayed).hasSize(rows.size());
        Map<String, InteractionRow> byId = new HashMap<>();
        rows.forEach(r -> byId.put("replay-t" + r.line(), r));
        for (PostImpression p : replayed) {
            InteractionRow row = byId.get(p.getImpressionId());
            assertThat(row).as(p.getImpressionId()).isNotNull();
            assertThat(p.getUserId()).isEqualTo(row.userId());
            assertThat(p.getItemId()).isEqualTo(row.itemId());
            assertThat(p.getEventTime()).isEqualTo(row.timestamp());
        }
    }
}

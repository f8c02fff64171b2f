package dev.transflow.it;

import dev.transflow.topic.Topic;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged {@code transflow.jar}, run the way a person runs it. */
class CliKafkaTest {

    @TempDir
    Path dataDir;

    private static Path jar() {
        Path jar = Path.of(System.getProperty("transflow.cli.jar", "../streaming-job/target/transflow.jar"));
        assertThat(jar).as("the packaged CLI (build it with mvn package)").exists();
        return jar;
    }

    private record Result(int exitCode, String output) {}

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        return new Result(process.exitValue(), output);
    }

    private Result transflow(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    @AfterEach
    void stopBroker() throws Exception {
        transflow("kafka", "stop", "--data-dir", dataDir.toString());
    }

    @Test
    void startStatusStop() throws Exception {
        int port = KafkaBrokerExtension.freePort();

        Result start = transflow("kafka", "start", "--port", Integer.toString(port), "--data-dir", dataDir.toString(),
                "--heap", "384m");
        assertThat(start.exitCode()).as(start.output()).isZero();
        assertThat(start.output()).contains("bootstrap.servers=127.0.0.1:" + port);

        Result status = transflow("kafka", "status", "--data-dir", dataDir.toString());
        assertThat(status.exitCode()).as(status.output()).isZero();
        assertThat(status.output()).contains("running at 127.0.0.1:" + port);

        Result again = transflow("kafka", "start", "--port", Integer.toString(port), "--data-dir", dataDir.toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.output()).contains("already running");

        if (kcatAvailable()) {
            Result metadata = run(List.of("kcat", "-b", "127.0.0.1:" + port, "-L", "-m", "20"));
            assertThat(metadata.exitCode()).as(metadata.output()).isZero();
            assertThat(metadata.output()).contains("1 brokers:");
            for (Topic topic : Topic.values()) {
                assertThat(metadata.output()).contains("topic \"" + topic.topicName() + "\"");
            }
        } else {
            System.err.println("kcat is not installed: skipping the kcat -L check (.ci/run installs it)");
        }

        Result stop = transflow("kafka", "stop", "--data-dir", dataDir.toString());
        assertThat(stop.exitCode()).as(stop.output()).isZero();
        assertThat(stop.output()).contains("stopped");

        Result after = transflow("kafka", "status", "--data-dir", dataDir.toString());
        assertThat(after.exitCode()).isEqualTo(3);
    }

    @Test
    void restartKeepsTheData() throws Exception {
        int port = KafkaBrokerExtension.freePort();
        String bootstrap = "127.0.0.1:" + port;
        assertThat(transflow("kafka", "start", "--port", Integer.toString(port), "--data-dir", dataDir.toString(),
                "--heap", "384m").exitCode()).isZero();
        List<String> written = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(bootstrap))) {
            for (int i = 0; i < 20; i++) {
                String value = "before-restart-" + i;
                written.add(value);
                producer.send(new ProducerRecord<>(Topic.CLICKS.topicName(), 0, null,
                        value.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(transflow("kafka", "stop", "--data-dir", dataDir.toString()).exitCode()).isZero();
        assertThat(dataDir.resolve("data").resolve("meta.properties")).exists();

        Result restart = transflow("kafka", "start", "--port", Integer.toString(port), "--data-dir",
                dataDir.toString(), "--heap", "384m");
        assertThat(restart.exitCode()).as(restart.output()).isZero();
        assertThat(Files.readString(dataDir.resolve("broker.out"))).containsOnlyOnce("Formatting metadata directory");

        // Everything written before the restart is there after it, in order.
        List<String> read = new ArrayList<>();
        TopicPartition partition = new TopicPartition(Topic.CLICKS.topicName(), 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(bootstrap))) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (read.size() < written.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    read.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertThat(read).containsExactlyElementsOf(written);
    }

    private static Properties producerProperties(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    private static Properties consumerProperties(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    private static boolean kcatAvailable() {
        try {
            return new ProcessBuilder("kcat", "-V").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}

package dev.transflow.it;

import dev.transflow.topic.Topic;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        assertThat(transflow("kafka", "start", "--port", Integer.toString(port), "--data-dir", dataDir.toString(),
                "--heap", "384m").exitCode()).isZero();
        assertThat(transflow("kafka", "stop", "--data-dir", dataDir.toString()).exitCode()).isZero();
        assertThat(dataDir.resolve("data").resolve("meta.properties")).exists();

        Result restart = transflow("kafka", "start", "--port", Integer.toString(port), "--data-dir",
                dataDir.toString(), "--heap", "384m");
        assertThat(restart.exitCode()).as(restart.output()).isZero();
        assertThat(Files.readString(dataDir.resolve("broker.out"))).containsOnlyOnce("Formatting metadata directory");
    }

    private static boolean kcatAvailable() {
        try {
            return new ProcessBuilder("kcat", "-V").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}

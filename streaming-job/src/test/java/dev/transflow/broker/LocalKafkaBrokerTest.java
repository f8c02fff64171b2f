package dev.transflow.broker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which process a broker's state file points at, and what is signalled: without starting a broker. */
class LocalKafkaBrokerTest {

    private static final long PID = 4242;

    @TempDir
    Path dir;

    /** A live process with the given arguments ({@code null}: they cannot be read); counts the signals it gets. */
    static final class FakeProcess implements ProcessHandle {
        final String[] arguments;
        int signals;

        FakeProcess(String... arguments) {
            this.arguments = arguments;
        }

        @Override
        public long pid() {
            return PID;
        }

        @Override
        public Optional<ProcessHandle> parent() {
            return Optional.empty();
        }

        @Override
        public Stream<ProcessHandle> children() {
            return Stream.empty();
        }

        @Override
        public Stream<ProcessHandle> descendants() {
            return Stream.empty();
        }

        @Override
        public Info info() {
            return new Info() {
                @Override
                public Optional<String> command() {
                    return Optional.empty();
                }

                @Override
                public Optional<String> commandLine() {
                    return Optional.empty();
                }

                @Override
                public Optional<String[]> arguments() {
                    return Optional.ofNullable(arguments);
                }

                @Override
                public Optional<Instant> startInstant() {
                    return Optional.empty();
                }

                @Override
                public Optional<Duration> totalCpuDuration() {
                    return Optional.empty();
                }

                @Override
                public Optional<String> user() {
                    return Optional.empty();
                }
            };
        }

        @Override
        public CompletableFuture<ProcessHandle> onExit() {
            return CompletableFuture.completedFuture(this); // exits at once when signalled
        }

        @Override
        public boolean supportsNormalTermination() {
            return true;
        }

        @Override
        public boolean destroy() {
            signals++;
            return true;
        }

        @Override
        public boolean destroyForcibly() {
            signals++;
            return true;
        }

        @Override
        public boolean isAlive() {
            return true;
        }

        @Override
        public int compareTo(ProcessHandle other) {
            return Long.compare(pid(), other.pid());
        }
    }

    private Path stateFile() throws Exception {
        return Files.writeString(dir.resolve("broker.state"), "pid=" + PID + "\nport=9092\n");
    }

    private static LongFunction<Optional<ProcessHandle>> only(ProcessHandle process) {
        return pid -> pid == PID ? Optional.of(process) : Optional.empty();
    }

    @Test
    void aProcessWhoseCommandLineCannotBeReadIsNeverSignalled() throws Exception {
        Path state = stateFile();
        FakeProcess unknown = new FakeProcess((String[]) null);

        assertThatThrownBy(() -> LocalKafkaBroker.stop(dir, Duration.ofSeconds(1), only(unknown)))
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining("cannot be read").hasMessageContaining("kill " + PID)
                .hasMessageContaining(state.toString());
        assertThat(unknown.signals).isZero();
        assertThat(state).as("kept: it may still describe the broker").exists();
    }

    @Test
    void theBrokerOfThisDataDirectoryIsStopped() throws Exception {
        Path state = stateFile();
        FakeProcess broker = new FakeProcess("java", "-cp", "x.jar", "kafka.Kafka",
                dir.resolve("server.properties").toString());

        assertThat(LocalKafkaBroker.stop(dir, Duration.ofSeconds(1), only(broker))).isTrue();
        assertThat(broker.signals).isEqualTo(1);
        assertThat(state).doesNotExist();
    }

    @Test
    void aRecycledPidIsLeftAloneAndTheStaleStateFileRemoved() throws Exception {
        Path other = Files.createDirectories(dir.resolve("other"));
        for (FakeProcess stranger : new FakeProcess[] {new FakeProcess("sleep", "100"),
                // Another broker, from another data directory.
                new FakeProcess("java", "kafka.Kafka", other.resolve("server.properties").toString())}) {
            Path state = stateFile();

            assertThat(LocalKafkaBroker.stop(dir, Duration.ofSeconds(1), only(stranger))).isFalse();
            assertThat(stranger.signals).isZero();
            assertThat(state).doesNotExist();
        }
    }
}

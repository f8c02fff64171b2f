package dev.transflow.cli;

import dev.transflow.broker.LocalKafkaBroker;
import dev.transflow.topic.Topic;
import dev.transflow.topic.TopicAdmin;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code transflow kafka start|stop|status}: a local single-node broker for development and the demo. */
@Command(name = "kafka",
        mixinStandardHelpOptions = true,
        description = {"Run a local single-node Kafka broker (KRaft) in a separate JVM on 127.0.0.1.",
                "It needs no Kafka installation: the broker runs from transflow.jar itself."},
        subcommands = {KafkaCommand.Start.class, KafkaCommand.Stop.class, KafkaCommand.Status.class,
                KafkaCommand.Topics.class})
final class KafkaCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: start, stop, status or topics.");
    }

    /** Options every subcommand shares. */
    static final class DataDirOption {
        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "Directory of the broker's data, logs and pid (default: ${DEFAULT-VALUE}).")
        Path dataDir = LocalKafkaBroker.defaultDataDir();
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = {"Start the broker, wait until it accepts clients, create Transflow's topics "
                    + "and print the bootstrap address.",
                    "The broker keeps running after this command returns; stop it with 'transflow kafka stop'."})
    static final class Start implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @CommandLine.Mixin
        DataDirOption data = new DataDirOption();

        @Option(names = "--port", paramLabel = "N", description = "Client port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
        int port = LocalKafkaBroker.DEFAULT_PORT;

        @Option(names = "--controller-port", paramLabel = "N",
                description = "KRaft controller port on 127.0.0.1 (default: a free port).")
        int controllerPort;

        @Option(names = "--partitions", paramLabel = "N",
                description = "Partitions of every topic created (default: each topic's own, see the README).")
        int partitions;

        @Option(names = "--heap", paramLabel = "SIZE", description = "Broker JVM heap (default: ${DEFAULT-VALUE}).")
        String heap = "512m";

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "90s",
                description = "How long to wait for the broker to come up (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() {
            LocalKafkaBroker.Settings settings;
            try {
                settings = new LocalKafkaBroker.Settings()
                        .port(port).controllerPort(controllerPort).partitions(partitions).heap(heap)
                        .dataDir(data.dataDir).startupTimeout(timeout);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("Starting Kafka broker on " + LocalKafkaBroker.HOST + ":" + port + " (data in "
                    + data.dataDir.toAbsolutePath().normalize() + ") ...");
            out.flush();
            LocalKafkaBroker broker = LocalKafkaBroker.start(settings);
            out.println("Kafka broker ready (pid " + broker.pid() + "), log: " + broker.logFile());
            StringBuilder topics = new StringBuilder("Topics:");
            for (Topic topic : Topic.values()) {
                topics.append(' ').append(topic.topicName());
            }
            out.println(topics);
            out.println("bootstrap.servers=" + broker.bootstrapServers());
            out.flush();
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop the broker started from the data directory (controlled shutdown, then kill).")
    static final class Stop implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @CommandLine.Mixin
        DataDirOption data = new DataDirOption();

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
                description = "How long a controlled shutdown may take before the broker is killed "
                        + "(default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Optional<LocalKafkaBroker> broker = LocalKafkaBroker.find(data.dataDir);
            if (broker.isEmpty()) {
                out.println("No broker is running from " + data.dataDir.toAbsolutePath().normalize());
                return 0;
            }
            broker.get().stop(timeout);
            out.println("Kafka broker stopped (pid " + broker.get().pid() + ")");
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Say whether a broker runs from the data directory.",
                    "Exit code 0 when it runs, 3 when it does not."})
    static final class Status implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @CommandLine.Mixin
        DataDirOption data = new DataDirOption();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Optional<LocalKafkaBroker> broker = LocalKafkaBroker.find(data.dataDir);
            if (broker.isEmpty()) {
                out.println("not running (data dir " + data.dataDir.toAbsolutePath().normalize() + ")");
                return TransflowCli.EXIT_NOT_RUNNING;
            }
            out.println("running at " + broker.get().bootstrapServers() + " (pid " + broker.get().pid()
                    + ", data dir " + broker.get().dataDir() + ")");
            return 0;
        }
    }

    @Command(name = "topics", mixinStandardHelpOptions = true,
            description = {"Create Transflow's topics that are missing on any Kafka cluster, and list them all.",
                    "'kafka start' does this for the local broker; use this for docker-compose or production."})
    static final class Topics implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", required = true,
                description = "Kafka bootstrap servers, comma-separated.")
        String bootstrap;

        @Option(names = "--partitions", paramLabel = "N",
                description = "Partitions of every topic created (default: each topic's own).")
        int partitions;

        @Option(names = "--replication-factor", paramLabel = "N", defaultValue = "1",
                description = "Replicas of every topic created (default: ${DEFAULT-VALUE}).")
        short replicationFactor;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
                description = "How long to wait for the cluster (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() {
            if (partitions < 0 || replicationFactor < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--partitions must be >= 0 and --replication-factor >= 1");
            }
            java.util.List<String> created = TopicAdmin.ensureTopics(bootstrap, partitions, replicationFactor, timeout);
            PrintWriter out = spec.commandLine().getOut();
            for (Topic topic : Topic.values()) {
                out.printf("%-22s %-8s %s%n", topic.topicName(),
                        created.contains(topic.topicName()) ? "created" : "exists", topic.description());
            }
            return 0;
        }
    }
}

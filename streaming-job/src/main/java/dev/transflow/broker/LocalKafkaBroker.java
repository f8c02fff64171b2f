package dev.transflow.broker;

import dev.transflow.topic.TopicAdmin;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * A single-node Kafka broker (KRaft, combined broker + controller) in its own JVM on 127.0.0.1.
 *
 * <p>The broker runs from the classpath of the JVM that starts it (the {@code transflow.jar}, or a test's
 * classpath), so no Kafka distribution needs installing. Everything it owns lives in one data directory:
 * <pre>
 *   DIR/broker.state          pid and ports of the running broker (removed on stop)
 *   DIR/server.properties     the broker's configuration
 *   DIR/data/                 Kafka's log directory (KRaft metadata and topic partitions)
 *   DIR/logs/server.log       the broker's own log; DIR/broker.out its stdout and stderr
 * </pre>
 * The broker outlives the process that started it; {@link #stop(Path, Duration)} ends it by its pid.
 */
public final class LocalKafkaBroker {

    public static final String HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9092;

    private static final String STATE_FILE = "broker.state";
    private static final String BROKER_MAIN = "kafka.Kafka";
    private static final String STORAGE_TOOL_MAIN = "kafka.tools.StorageTool";

    private final Path dataDir;
    private final int port;
    private final long pid;

    private LocalKafkaBroker(Path dataDir, int port, long pid) {
        this.dataDir = dataDir;
        this.port = port;
        this.pid = pid;
    }

    /** The default data directory, {@code ~/.transflow/kafka}. */
    public static Path defaultDataDir() {
        return Path.of(System.getProperty("user.home"), ".transflow", "kafka");
    }

    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return pid;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return dataDir.resolve("logs").resolve("server.log");
    }

    /** Options of {@link #start(Settings)}; every field has a default suitable for a laptop. */
    public static final class Settings {
        private int port = DEFAULT_PORT;
        private int controllerPort;
        private Path dataDir = defaultDataDir();
        private String heap = "512m";
        private Duration startupTimeout = Duration.ofSeconds(90);
        private int partitionsOverride;
        private String classpath = System.getProperty("java.class.path");

        /** Client port on 127.0.0.1 (default 9092). */
        public Settings port(int port) {
            this.port = checkPort(port, "port");
            return this;
        }

        /** KRaft controller port on 127.0.0.1; 0 (default) picks a free one at each start. */
        public Settings controllerPort(int controllerPort) {
            this.controllerPort = controllerPort == 0 ? 0 : checkPort(controllerPort, "controller port");
            return this;
        }

        public Settings dataDir(Path dataDir) {
            this.dataDir = dataDir.toAbsolutePath().normalize();
            return this;
        }

        /** Maximum heap of the broker JVM, in java's -Xmx syntax (default 512m). */
        public Settings heap(String heap) {
            if (!heap.matches("\\d+[kKmMgG]?")) {
                throw new IllegalArgumentException("Heap size '" + heap + "' is not of the form 512m or 2g");
            }
            this.heap = heap;
            return this;
        }

        public Settings startupTimeout(Duration startupTimeout) {
            this.startupTimeout = startupTimeout;
            return this;
        }

        /** Partitions of every created topic; 0 (default) uses each topic's own default. */
        public Settings partitions(int partitions) {
            if (partitions < 0) {
                throw new IllegalArgumentException("Partitions must be positive, got " + partitions);
            }
            this.partitionsOverride = partitions;
            return this;
        }

        /** Classpath that holds kafka_2.13 and its dependencies (default: this JVM's). */
        public Settings classpath(String classpath) {
            this.classpath = classpath;
            return this;
        }

        private static int checkPort(int port, String what) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("The " + what + " must be in 1..65535, got " + port);
            }
            return port;
        }
    }

    /**
     * Starts a broker, waits until it accepts clients and creates every {@link dev.transflow.topic.Topic}.
     *
     * @throws BrokerException when the data directory is unusable, a port is taken, a broker already runs from
     *     this data directory, or the broker does not come up in time (the message quotes its log)
     */
    public static LocalKafkaBroker start(Settings settings) {
        Path dir = prepareDataDir(settings.dataDir);
        find(dir).ifPresent(running -> {
            throw new BrokerException("A broker from " + dir + " is already running at " + running.bootstrapServers()
                    + " (pid " + running.pid() + "). Stop it with 'transflow kafka stop --data-dir " + dir
                    + "' or choose another --data-dir.");
        });
        requireFree(settings.port, "--port");
        int controllerPort = settings.controllerPort;
        if (controllerPort == 0) {
            controllerPort = freePort();
        } else {
            requireFree(controllerPort, "--controller-port");
        }
        if (controllerPort == settings.port) {
            throw new BrokerException("The client and controller ports are both " + settings.port
                    + "; choose different ones.");
        }

        Path serverProperties = dir.resolve("server.properties");
        Path log4j = dir.resolve("log4j2-broker.properties");
        writeServerProperties(serverProperties, dir, settings.port, controllerPort);
        writeLog4jConfig(log4j, dir.resolve("logs"));
        String classpath = absoluteClasspath(settings.classpath);
        Path out = dir.resolve("broker.out");

        if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            format(classpath, serverProperties, log4j, out, dir);
        }

        List<String> command = new ArrayList<>(javaCommand(classpath, log4j));
        command.add(1, "-Xms64m");
        command.add(2, "-Xmx" + settings.heap);
        command.add(BROKER_MAIN);
        command.add(serverProperties.toString());
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new BrokerException("Cannot launch the broker JVM (" + command.get(0) + "): " + e.getMessage(), e);
        }
        LocalKafkaBroker broker = new LocalKafkaBroker(dir, settings.port, process.pid());
        writeState(dir, process.pid(), settings.port, controllerPort);
        try {
            broker.awaitReady(process, settings.startupTimeout);
            TopicAdmin.ensureTopics(broker.bootstrapServers(), settings.partitionsOverride, (short) 1,
                    Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            broker.stop(Duration.ofSeconds(10));
            throw e;
        }
        return broker;
    }

    /**
     * The broker running from {@code dataDir}, if any. A state file left by a dead broker, or whose pid now belongs
     * to another program, is removed.
     *
     * @throws BrokerException when the state file's pid is alive but its command line cannot be read (another
     *     user's process, a restricted /proc), so whether it is the broker cannot be told; the state file stays
     */
    public static Optional<LocalKafkaBroker> find(Path dataDir) {
        return find(dataDir, ProcessHandle::of);
    }

    static Optional<LocalKafkaBroker> find(Path dataDir, LongFunction<Optional<ProcessHandle>> processes) {
        Path dir = dataDir.toAbsolutePath().normalize();
        Path stateFile = dir.resolve(STATE_FILE);
        if (!Files.exists(stateFile)) {
            return Optional.empty();
        }
        long pid;
        int port;
        Properties state = new Properties();
        try (InputStream in = Files.newInputStream(stateFile)) {
            state.load(in);
            pid = Long.parseLong(state.getProperty("pid"));
            port = Integer.parseInt(state.getProperty("port"));
        } catch (IOException | RuntimeException e) {
            // An unreadable state file describes no running broker.
            deleteQuietly(stateFile);
            return Optional.empty();
        }
        switch (identify(processes.apply(pid), dir.resolve("server.properties"))) {
            case BROKER:
                return Optional.of(new LocalKafkaBroker(dir, port, pid));
            case UNKNOWN:
                // Signalling a process that may not be ours is worse than asking: the pid may have been recycled.
                throw new BrokerException("Process " + pid + " named in " + stateFile + " is alive, but its command "
                        + "line cannot be read, so it may or may not be the broker; nothing was signalled. If it is "
                        + "the broker (look at 'ps -o user,args -p " + pid + "'), end it with 'kill " + pid
                        + "' and delete " + stateFile + "; if it is not, just delete " + stateFile + ".");
            default:
                deleteQuietly(stateFile);
                return Optional.empty();
        }
    }

    /** What a pid from the state file is, as far as this process can tell. */
    enum Identity { BROKER, OTHER, UNKNOWN }

    /**
     * A live JVM running {@code kafka.Kafka} with this data directory's {@code server.properties} is the broker; a
     * dead process or any other program (a recycled pid) is not; a live process whose arguments cannot be read is
     * unknown, never assumed to be the broker.
     */
    static Identity identify(Optional<ProcessHandle> process, Path serverProperties) {
        if (process.isEmpty() || !process.get().isAlive()) {
            return Identity.OTHER;
        }
        Optional<String[]> arguments = process.get().info().arguments();
        if (arguments.isEmpty()) {
            return Identity.UNKNOWN;
        }
        List<String> args = Arrays.asList(arguments.get());
        int main = args.indexOf(BROKER_MAIN);
        return main >= 0 && main + 1 < args.size() && sameFile(args.get(main + 1), serverProperties) ? Identity.BROKER
                : Identity.OTHER;
    }

    /** Whether {@code path} names {@code file}, also when spelt differently (a link to the data directory). */
    private static boolean sameFile(String path, Path file) {
        try {
            return Path.of(path).equals(file) || Files.isSameFile(Path.of(path), file);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Stops the broker running from {@code dataDir}: SIGTERM for a controlled shutdown, SIGKILL after the timeout.
     *
     * @return false when no broker was running there
     * @throws BrokerException when {@link #find(Path)} cannot tell whether the recorded process is the broker
     */
    public static boolean stop(Path dataDir, Duration timeout) {
        return stop(dataDir, timeout, ProcessHandle::of);
    }

    static boolean stop(Path dataDir, Duration timeout, LongFunction<Optional<ProcessHandle>> processes) {
        Optional<LocalKafkaBroker> broker = find(dataDir, processes);
        broker.ifPresent(b -> b.stop(timeout, processes));
        return broker.isPresent();
    }

    /** Stops this broker; see {@link #stop(Path, Duration)}. */
    public void stop(Duration timeout) {
        stop(timeout, ProcessHandle::of);
    }

    private void stop(Duration timeout, LongFunction<Optional<ProcessHandle>> processes) {
        processes.apply(pid).ifPresent(handle -> {
            handle.destroy();
            if (!awaitExit(handle, timeout)) {
                handle.destroyForcibly();
                if (!awaitExit(handle, Duration.ofSeconds(10))) {
                    throw new BrokerException("Broker pid " + pid + " survived SIGKILL; end it by hand.");
                }
            }
        });
        deleteQuietly(dataDir.resolve(STATE_FILE));
    }

    private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !handle.isAlive();
        } catch (ExecutionException e) {
            return !handle.isAlive();
        }
    }

    private void awaitReady(Process process, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!accepts(port)) {
            if (!process.isAlive()) {
                throw new BrokerException("The broker exited with code " + process.exitValue() + " during start-up. "
                        + "Its last output:\n" + tail(dataDir.resolve("broker.out"), 25) + "\nFull log: "
                        + logFile());
            }
            if (System.nanoTime() > deadline) {
                throw new BrokerException("The broker did not accept connections on " + bootstrapServers()
                        + " within " + timeout.toSeconds() + " s; see " + logFile());
            }
            sleep(100);
        }
        try (Admin admin = admin()) {
            long remaining = Math.max(1, deadline - System.nanoTime());
            admin.describeCluster().nodes().get(remaining, TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new BrokerException("The broker at " + bootstrapServers() + " accepts connections but does not "
                    + "answer metadata requests (" + e + "); see " + logFile(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerException("Interrupted while waiting for the broker", e);
        }
    }

    private Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return Admin.create(props);
    }

    private static Path prepareDataDir(Path requested) {
        Path dir = requested.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir.resolve("logs"));
            Path probe = Files.createTempFile(dir, ".write-probe", "");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new BrokerException("The data directory " + dir + " is not writable (" + e + "). Choose another "
                    + "with --data-dir.", e);
        }
        return dir;
    }

    private static void requireFree(int port, String option) {
        try (ServerSocket socket = new ServerSocket()) {
            // As the broker binds: a listener on the port still conflicts, connections of a broker stopped a moment
            // ago (TIME_WAIT) do not.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(HOST, port));
        } catch (IOException e) {
            throw new BrokerException("Port " + port + " on " + HOST + " is already in use. Stop the process that "
                    + "holds it, or choose another port with " + option + ".", e);
        }
    }

    /** A TCP port free on this host right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on " + HOST, e);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void writeServerProperties(Path file, Path dir, int port, int controllerPort) {
        String text = String.join("\n",
                "# Written by Transflow at each start; edit the code, not this file.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + HOST + ":" + controllerPort,
                "listeners=PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + HOST + ":" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "auto.create.topics.enable=false",
                "num.partitions=1",
                // Single node: every internal topic has one replica.
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // Replayed and simulated events carry old timestamps: time retention would delete them at once.
                "log.retention.ms=-1",
                // Flink's exactly-once KafkaSink uses one-hour transactions by default.
                "transaction.max.timeout.ms=3600000",
                "");
        writeString(file, text);
    }

    private static void writeLog4jConfig(Path file, Path logDir) {
        Path log = logDir.resolve("server.log");
        String text = String.join("\n",
                "status = warn",
                "appender.file.type = RollingFile",
                "appender.file.name = file",
                "appender.file.fileName = " + log,
                "appender.file.filePattern = " + log + ".%i",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                "appender.file.policies.type = Policies",
                "appender.file.policies.size.type = SizeBasedTriggeringPolicy",
                "appender.file.policies.size.size = 50MB",
                "appender.file.strategy.type = DefaultRolloverStrategy",
                "appender.file.strategy.max = 3",
                "rootLogger.level = info",
                "rootLogger.appenderRef.file.ref = file",
                "");
        writeString(file, text);
    }

    private static void format(String classpath, Path serverProperties, Path log4j, Path out, Path dir) {
        List<String> command = new ArrayList<>(javaCommand(classpath, log4j));
        command.addAll(List.of(STORAGE_TOOL_MAIN, "format", "--cluster-id", Uuid.randomUuid().toString(),
                "--config", serverProperties.toString()));
        try {
            Process process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                    .start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new BrokerException("Formatting the broker's storage in " + dir + " did not finish in 120 s");
            }
            if (process.exitValue() != 0) {
                throw new BrokerException("Formatting the broker's storage in " + dir + " failed (exit "
                        + process.exitValue() + "):\n" + tail(out, 15));
            }
        } catch (IOException e) {
            throw new BrokerException("Cannot run the Kafka storage tool: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerException("Interrupted while formatting the broker's storage", e);
        }
    }

    private static List<String> javaCommand(String classpath, Path log4j) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ArrayList<>(List.of(java,
                "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + log4j,
                "-cp", classpath));
    }

    private static String absoluteClasspath(String classpath) {
        if (classpath == null || classpath.isBlank()) {
            throw new BrokerException("No classpath to run the broker from (java.class.path is empty)");
        }
        return Arrays.stream(classpath.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static void writeState(Path dir, long pid, int port, int controllerPort) {
        Properties state = new Properties();
        state.setProperty("pid", Long.toString(pid));
        state.setProperty("port", Integer.toString(port));
        state.setProperty("controller.port", Integer.toString(controllerPort));
        state.setProperty("bootstrap.servers", HOST + ":" + port);
        try (OutputStream out = Files.newOutputStream(dir.resolve(STATE_FILE))) {
            state.store(out, "Transflow local Kafka broker");
        } catch (IOException e) {
            throw new BrokerException("Cannot write " + dir.resolve(STATE_FILE) + ": " + e.getMessage(), e);
        }
    }

    private static void writeString(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BrokerException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // Leaving a stale state file is harmless: find() discards it next time.
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerException("Interrupted while waiting for the broker", e);
        }
    }
}

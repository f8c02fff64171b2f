package dev.transflow.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * No Docker engine runs on the build machines, so docker-compose.yml cannot be started here; this keeps it
 * consistent with the build instead: image versions, the services of the stack, the topic-creating and
 * job-submitting commands, the broker settings that Transflow depends on, the volumes of checkpoints and snapshots,
 * the monitoring profile and its dashboard's metric names, and that nothing is published beyond the host's loopback
 * interface. Where Debian's docker-compose (1.29) is installed, it must accept the file as well.
 *
 * <p>The file is read with SnakeYAML, which resolves the anchors, aliases and merge keys ({@code <<: *taskmanager})
 * that Compose resolves; Jackson's YAML parser does not.
 */
class DockerComposeTest {

    private static final Set<String> FLINK_SERVICES = Set.of("jobmanager", "taskmanager-1", "taskmanager-2");
    private static final Set<String> MONITORING = Set.of("prometheus", "grafana");

    private static Path file;
    private static Path root;
    private static JsonNode compose;
    private static JsonNode services;

    @BeforeAll
    static void parse() throws IOException {
        file = Path.of(System.getProperty("transflow.compose.file", "../docker-compose.yml")).toAbsolutePath().normalize();
        root = file.getParent();
        compose = readYaml(file);
        services = compose.get("services");
        assertThat(services).as("services in %s", file).isNotNull();
    }

    private static JsonNode readYaml(Path path) throws IOException {
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            return new ObjectMapper().valueToTree(tree);
        }
    }

    @Test
    void theStackHasEveryService() {
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("kafka", "topics", "jobmanager", "taskmanager-1", "taskmanager-2", "submit-jobs",
                "simulator", "prometheus", "grafana");
    }

    /** docker-compose 1.29 rejects a top-level name ("'name' does not match any of the regexes: '^x-'"). */
    @Test
    void theFileFormatIsOneDockerCompose129Reads() {
        List<String> keys = new ArrayList<>();
        compose.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).doesNotContain("name");
        assertThat(keys).allSatisfy(key -> assertThat(key).matches("services|volumes|networks|version|x-.*"));
        if (compose.has("version")) {
            assertThat(compose.get("version").asText()).matches("3\\.[4-9]");
        }
    }

    @Test
    void imagesMatchThePinnedVersions() {
        assertThat(services.at("/kafka/image").asText()).isEqualTo("apache/kafka:" + System.getProperty("kafka.version"));
        String flink = "flink:" + System.getProperty("flink.version") + "-java17";
        for (String service : List.of("jobmanager", "taskmanager-1", "taskmanager-2", "topics", "flink-volumes",
                "submit-jobs", "simulator")) {
            assertThat(services.path(service).path("image").asText()).as("image of %s", service).isEqualTo(flink);
        }
        services.fields().forEachRemaining(service -> {
            String image = service.getValue().path("image").asText();
            assertThat(image).as("image of %s, pinned to a version", service.getKey())
                    .matches("[a-z0-9./_-]+:v?[0-9][A-Za-z0-9._-]*");
        });
    }

    @Test
    void topicsAreCreatedByTheCliAgainstTheInternalListener() {
        List<String> command = strings(services.at("/topics/command"));

        assertThat(command).containsSubsequence("kafka", "topics", "--bootstrap");
        String bootstrap = command.get(command.indexOf("--bootstrap") + 1);
        assertThat(services.at("/kafka/environment/KAFKA_ADVERTISED_LISTENERS").asText()).contains(bootstrap);
    }

    @Test
    void theSimulatorFeedsKafkaUntilStopped() {
        List<String> command = strings(services.at("/simulator/command"));

        assertThat(command).containsSubsequence("-jar", "/opt/transflow/transflow.jar", "simulate", "--bootstrap");
        String bootstrap = command.get(command.indexOf("--bootstrap") + 1);
        assertThat(services.at("/kafka/environment/KAFKA_ADVERTISED_LISTENERS").asText()).contains(bootstrap);
        assertThat(command.get(command.indexOf("--impressions") + 1)).isEqualTo("0");
        assertThat(services.at("/simulator/depends_on/topics/condition").asText())
                .isEqualTo("service_completed_successfully");
    }

    @Test
    void bothJobsAreSubmittedWithTheCliAsMainClass() throws Exception {
        JsonNode submit = services.get("submit-jobs");
        assertThat(submit.at("/depends_on/topics/condition").asText()).isEqualTo("service_completed_successfully");
        assertThat(submit.at("/depends_on/jobmanager/condition").asText()).isEqualTo("service_healthy");
        assertThat(services.at("/kafka/environment/KAFKA_ADVERTISED_LISTENERS").asText())
                .contains(submit.at("/environment/KAFKA_BOOTSTRAP").asText());

        Path script = hostPath(mountedAt(submit, "/opt/transflow/submit-jobs.sh"));
        assertThat(strings(submit.get("command"))).containsExactly("bash", "/opt/transflow/submit-jobs.sh");
        String text = Files.readString(script);
        Class<?> main = Class.forName("dev.transflow.cli.TransflowCli");
        assertThat(text).contains("--class " + main.getName(), "submit transflow-mem pretrain mem",
                "submit transflow-tem run", "transflow.snapshot.dir=$SNAPSHOTS", "--detached");
        assertThat(text).contains("--bootstrap \"$BOOTSTRAP\"");
    }

    @Test
    void brokerKeepsOldEventsAndAllowsLongTransactions() {
        JsonNode env = services.at("/kafka/environment");
        assertThat(env.get("KAFKA_LOG_RETENTION_MS").asLong()).isEqualTo(-1);
        assertThat(env.get("KAFKA_TRANSACTION_MAX_TIMEOUT_MS").asLong()).isGreaterThanOrEqualTo(3_600_000L);
        assertThat(env.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText()).isEqualTo("false");
        // Kafka refuses to format storage with a cluster id that is not a base64 UUID.
        assertThat(Uuid.fromString(env.get("CLUSTER_ID").asText())).isNotNull();
    }

    @Test
    void checkpointsAndSnapshotsLiveOnNamedVolumes() {
        JsonNode volumes = compose.get("volumes");
        assertThat(volumes).isNotNull();
        for (String service : FLINK_SERVICES) {
            Map<String, String> flink = flinkProperties(service);
            assertThat(flink).as("FLINK_PROPERTIES of %s", service).containsEntry("state.backend.type", "rocksdb");
            String checkpoints = flink.get("execution.checkpointing.dir");
            assertThat(checkpoints).as("checkpoint directory of %s", service).startsWith("file://");
            String volume = volumeAt(services.get(service), checkpoints.substring("file://".length()));
            assertThat(volumes.has(volume)).as("%s is a top-level named volume", volume).isTrue();
        }
        String snapshots = services.at("/submit-jobs/environment/TRANSFLOW_SNAPSHOT_DIR").asText();
        assertThat(snapshots).isNotEmpty();
        Set<String> snapshotVolumes = new HashSet<>();
        for (String service : List.of("taskmanager-1", "taskmanager-2")) {
            snapshotVolumes.add(volumeAt(services.get(service), snapshots));
        }
        assertThat(snapshotVolumes).as("one snapshot store for both jobs").hasSize(1);
        assertThat(volumes.has(snapshotVolumes.iterator().next())).isTrue();
    }

    @Test
    void bindMountsExistAndTheJarIsTheBuiltOne() {
        Path jar = Path.of(System.getProperty("transflow.cli.jar", "../streaming-job/target/transflow.jar"))
                .toAbsolutePath().normalize();
        services.fields().forEachRemaining(service -> service.getValue().path("volumes").forEach(mount -> {
            String source = mount.asText().split(":")[0];
            if (!source.startsWith(".")) {
                return; // a named volume
            }
            Path host = hostPath(source);
            if (host.getFileName().toString().equals("transflow.jar")) {
                // Built by 'mvn -B -DskipTests package', which the README and the file's header give.
                assertThat(host).as("jar mounted by %s", service.getKey()).isEqualTo(jar);
            } else {
                assertThat(host).as("bind mount of %s", service.getKey()).exists();
            }
        }));
        for (String service : List.of("topics", "submit-jobs", "simulator")) {
            assertThat(hostPath(mountedAt(services.get(service), "/opt/transflow/transflow.jar"))).isEqualTo(jar);
        }
    }

    @Test
    void everyPublishedPortListensOnLocalhostOnly() {
        List<String> publishing = new ArrayList<>();
        services.fields().forEachRemaining(service -> service.getValue().path("ports").forEach(port -> {
            // Short syntax "[HOST_IP:]HOST_PORT:CONTAINER_PORT", or long syntax with a host_ip field; no host
            // address means every interface.
            String hostIp = port.isTextual() ? hostIp(port.asText()) : port.path("host_ip").asText("");
            assertThat(hostIp).as("host address of %s port %s (publish as \"127.0.0.1:HOST:CONTAINER\")",
                    service.getKey(), port).isEqualTo("127.0.0.1");
            publishing.add(service.getKey());
        }));
        assertThat(publishing).as("services publishing ports").contains("kafka", "jobmanager", "prometheus", "grafana");
    }

    @Test
    void monitoringIsAProfileAndTheRestStartsByDefault() {
        services.fields().forEachRemaining(service -> {
            List<String> profiles = strings(service.getValue().path("profiles"));
            if (MONITORING.contains(service.getKey())) {
                assertThat(profiles).as("profiles of %s", service.getKey()).containsExactly("monitoring");
            } else {
                assertThat(profiles).as("profiles of %s", service.getKey()).isEmpty();
            }
        });
    }

    @Test
    void prometheusScrapesFlinksReporterOnEveryFlinkProcess() throws IOException {
        for (String service : FLINK_SERVICES) {
            assertThat(flinkProperties(service)).as("FLINK_PROPERTIES of %s", service)
                    .containsEntry("metrics.reporter.prom.factory.class",
                            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                    .containsEntry("metrics.reporter.prom.port", "9249");
        }
        JsonNode prometheus = readYaml(hostPath(mountedAt(services.get("prometheus"), "/etc/prometheus/prometheus.yml")));
        List<String> targets = new ArrayList<>();
        prometheus.path("scrape_configs").forEach(job -> job.path("static_configs")
                .forEach(config -> targets.addAll(strings(config.path("targets")))));
        assertThat(targets).containsExactlyInAnyOrder("jobmanager:9249", "taskmanager-1:9249", "taskmanager-2:9249");
    }

    /** Every metric the dashboard plots is one that streaming-job registers, under the name it registers it with. */
    @Test
    void theDashboardPlotsMetricsTheJobsRegister() throws IOException {
        JsonNode grafana = services.get("grafana");
        Path dashboards = hostPath(mountedAt(grafana, "/etc/grafana/dashboards"));
        Path provisioning = hostPath(mountedAt(grafana, "/etc/grafana/provisioning"));
        assertThat(readYaml(provisioning.resolve("datasources/prometheus.yml")).at("/datasources/0/url").asText())
                .isEqualTo("http://prometheus:9090");
        assertThat(readYaml(provisioning.resolve("dashboards/transflow.yml")).at("/providers/0/options/path")
                .asText()).isEqualTo("/etc/grafana/dashboards");

        String registered = sources(root.resolve("streaming-job/src/main/java"));
        Pattern metric = Pattern.compile("flink_taskmanager_job_task_operator_(\\w+)");
        Set<String> plotted = new HashSet<>();
        try (Stream<Path> files = Files.list(dashboards)) {
            for (Path json : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                JsonNode dashboard = new ObjectMapper().readTree(json.toFile());
                dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(target -> {
                    Matcher m = metric.matcher(target.path("expr").asText());
                    while (m.find()) {
                        plotted.add(m.group(1));
                    }
                }));
            }
        }
        assertThat(plotted).contains("prequentialAuc", "prequentialGauc", "prequentialLogLoss", "trainedSamplesPerSecond",
                "memVersion");
        // Knowledge metrics are registered per kind, as prefix + "Version" with the prefix "mem", "tpm" or "cpm".
        Pattern perKind = Pattern.compile("(mem|tpm|cpm)([A-Z]\\w*)");
        assertThat(plotted).allSatisfy(name -> {
            Matcher kind = perKind.matcher(name);
            String registeredAs = kind.matches() ? "prefix \\+ \"" + kind.group(2) + "\"" : "\"" + name + "\"";
            assertThat(registered).as("a metric registered as %s", registeredAs)
                    .containsPattern("\\.(counter|gauge|meter|histogram)\\(" + registeredAs);
        });
    }

    /** Where Debian's docker-compose 1.29 is installed (.ci/run installs it when it can), it accepts the file. */
    @Test
    void dockerCompose129AcceptsTheFile() throws Exception {
        assumeTrue(onPath("docker-compose"), "docker-compose is not on PATH (.ci/run installs Debian's package)");
        Process process = new ProcessBuilder("docker-compose", "-f", file.toString(), "config", "-q")
                .directory(root.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("docker-compose -f %s config -q:%n%s", file, output).isZero();
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, command)));
    }

    /** FLINK_PROPERTIES of a service as key-value pairs ("key: value" lines). */
    private static Map<String, String> flinkProperties(String service) {
        Map<String, String> out = new HashMap<>();
        for (String line : services.path(service).at("/environment/FLINK_PROPERTIES").asText().split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                out.put(line.substring(0, colon).trim(), line.substring(colon + 2).trim());
            }
        }
        return out;
    }

    /** The named volume of {@code service} mounted at {@code containerPath}. */
    private static String volumeAt(JsonNode service, String containerPath) {
        String source = mountedAt(service, containerPath);
        assertThat(source).as("source of %s", containerPath).doesNotStartWith(".").doesNotStartWith("/");
        return source;
    }

    /** The source of the mount of {@code service} at {@code containerPath} (short syntax SOURCE:TARGET[:MODE]). */
    private static String mountedAt(JsonNode service, String containerPath) {
        for (JsonNode mount : service.path("volumes")) {
            String[] parts = mount.asText().split(":");
            if (parts.length >= 2 && parts[1].equals(containerPath)) {
                return parts[0];
            }
        }
        throw new AssertionError("nothing mounted at " + containerPath + " in " + service);
    }

    private static Path hostPath(String source) {
        return root.resolve(source).normalize();
    }

    private static String sources(Path dir) throws IOException {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path java : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                text.append(Files.readString(java)).append('\n');
            }
        }
        return text.toString();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }

    /** The host address of a short-syntax port mapping, or "" when it has none. */
    private static String hostIp(String mapping) {
        String[] parts = mapping.split(":");
        return parts.length == 3 ? parts[0] : "";
    }
}

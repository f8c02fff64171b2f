package dev.transflow.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No Docker engine runs on the build machines, so docker-compose.yml cannot be started here; this keeps it
 * consistent with the build instead: image versions, the topic-creating command, the broker settings that
 * Transflow depends on, and that nothing is published beyond the host's loopback interface.
 */
class DockerComposeTest {

    private static JsonNode services;

    @BeforeAll
    static void parse() throws IOException {
        Path file = Path.of(System.getProperty("transflow.compose.file", "../docker-compose.yml"));
        services = new ObjectMapper(new YAMLFactory()).readTree(file.toFile()).get("services");
        assertThat(services).as("services in %s", file).isNotNull();
    }

    @Test
    void imagesMatchThePinnedVersions() {
        assertThat(services.at("/kafka/image").asText()).isEqualTo("apache/kafka:" + System.getProperty("kafka.version"));
        assertThat(services.at("/jobmanager/image").asText()).startsWith("flink:" + System.getProperty("flink.version"));
        assertThat(services.at("/taskmanager/image").asText()).isEqualTo(services.at("/jobmanager/image").asText());
    }

    @Test
    void topicsAreCreatedByTheCliAgainstTheInternalListener() {
        List<String> command = new ArrayList<>();
        services.at("/topics/command").forEach(arg -> command.add(arg.asText()));

        assertThat(command).containsSubsequence("kafka", "topics", "--bootstrap");
        String bootstrap = command.get(command.indexOf("--bootstrap") + 1);
        assertThat(services.at("/kafka/environment/KAFKA_ADVERTISED_LISTENERS").asText()).contains(bootstrap);
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
        assertThat(publishing).as("services publishing ports").contains("kafka", "jobmanager");
    }

    /** The host address of a short-syntax port mapping, or "" when it has none. */
    private static String hostIp(String mapping) {
        String[] parts = mapping.split(":");
        return parts.length == 3 ? parts[0] : "";
    }
}

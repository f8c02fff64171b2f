package dev.transflow.topic;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Creates Transflow's topics on any Kafka cluster: the local broker, docker-compose's, or production. */
public final class TopicAdmin {

    private TopicAdmin() {}

    /**
     * Creates every {@link Topic} that does not exist yet; existing topics are left as they are.
     *
     * @param partitionsOverride partitions of each created topic, or 0 for each topic's default
     * @param replicationFactor replicas of each created topic (1 for a single broker)
     * @return the names of the topics this call created
     */
    public static List<String> ensureTopics(String bootstrapServers, int partitionsOverride, short replicationFactor,
            Duration timeout) {
        List<NewTopic> topics = new ArrayList<>();
        for (Topic topic : Topic.values()) {
            int partitions = partitionsOverride > 0 ? partitionsOverride : topic.defaultPartitions();
            topics.add(new NewTopic(topic.topicName(), partitions, replicationFactor));
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        // The admin client rejects an API timeout below its request timeout.
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        List<String> created = new ArrayList<>();
        try (Admin admin = Admin.create(props)) {
            for (Map.Entry<String, KafkaFuture<Void>> result : admin.createTopics(topics).values().entrySet()) {
                try {
                    result.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(result.getKey());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                        throw unreachable(bootstrapServers, timeout, e.getCause());
                    }
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + result.getKey() + " on "
                                + bootstrapServers + ": " + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
        } catch (TimeoutException e) {
            throw unreachable(bootstrapServers, timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        }
        return created;
    }

    private static IllegalStateException unreachable(String bootstrapServers, Duration timeout, Throwable cause) {
        return new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within "
                + timeout.toMillis() / 1000.0 + " s; check the address and that the cluster runs", cause);
    }
}

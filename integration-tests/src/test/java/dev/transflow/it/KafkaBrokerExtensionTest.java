package dev.transflow.it;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.topic.Topic;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaBrokerExtensionTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void transflowTopicsExistWithTheirPartitions() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (Topic topic : Topic.values()) {
                assertThat(names).contains(topic.topicName());
            }
            TopicDescription posts = admin.describeTopics(List.of(Topic.POST_IMPRESSIONS.topicName()))
                    .allTopicNames().get(30, TimeUnit.SECONDS).get(Topic.POST_IMPRESSIONS.topicName());
            assertThat(posts.partitions()).hasSize(Topic.POST_IMPRESSIONS.defaultPartitions());
        }
    }

    @Test
    void createProduceAndConsumeEncodedEvents() throws Exception {
        String topic = "it.clicks." + System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        EventCodec<Click> codec = EventCodec.of(Click.class);
        List<Click> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KAFKA.producerProperties())) {
            for (int i = 0; i < 200; i++) {
                Click click = new Click("imp-" + i, "u-" + (i % 7), "t-" + i, EntityType.POST, 1_700_000_000_000L + i);
                sent.add(click);
                producer.send(new ProducerRecord<>(topic, click.getUserId().getBytes(StandardCharsets.UTF_8),
                        codec.encode(click)));
            }
            producer.flush();
        }

        List<Click> received = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KAFKA.consumerProperties("it-" + topic))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received.size() < sent.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    received.add(codec.decode(record.value()));
                }
            }
        }

        assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
        // Keyed by user: each user's clicks keep their order within a partition.
        for (int user = 0; user < 7; user++) {
            String userId = "u-" + user;
            assertThat(received.stream().filter(c -> c.getUserId().equals(userId)).map(Click::getEventTime))
                    .isSorted();
        }
    }
}

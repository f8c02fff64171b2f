package dev.transflow.topic;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class TopicTest {

    @Test
    void namesAreUniqueAndLegalKafkaTopicNames() {
        Set<String> names = Arrays.stream(Topic.values()).map(Topic::topicName).collect(Collectors.toSet());

        assertThat(names).hasSize(Topic.values().length);
        // Kafka's rule: [a-zA-Z0-9._-], at most 249 characters.
        assertThat(names).allMatch(n -> n.matches("[a-zA-Z0-9._-]{1,249}"));
    }

    @Test
    void everyTopicHasPartitionsAndADescription() {
        for (Topic topic : Topic.values()) {
            assertThat(topic.defaultPartitions()).as(topic.topicName()).isPositive();
            assertThat(topic.description()).as(topic.topicName()).isNotBlank();
        }
    }

    @Test
    void orderedStreamsHaveOnePartition() {
        // Model announcements must be seen in publication order by every trainer.
        assertThat(Topic.MODEL_VERSIONS.defaultPartitions()).isEqualTo(1);
    }
}

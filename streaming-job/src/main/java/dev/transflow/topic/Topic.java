package dev.transflow.topic;

import dev.transflow.schemas.codec.EventType;

/**
 * Every Kafka topic Transflow reads or writes: the one place that names them.
 *
 * <p>Each topic carries exactly one record type, Avro single-object encoded. Partition counts are the defaults
 * used when Transflow creates the topic; keyed stages scale up to that many parallel subtasks.
 */
public enum Topic {
    PRODUCT_IMPRESSIONS("products.impressions", 4, EventType.PRODUCT_IMPRESSION,
            "Source-entity impressions, keyed by user id."),
    POST_IMPRESSIONS("posts.impressions", 4, EventType.POST_IMPRESSION,
            "Target-entity impressions, keyed by user id."),
    CLICKS("clicks", 4, EventType.CLICK,
            "Clicks on impressions of either entity type, keyed by user id."),
    LATE_CLICKS("clicks.late", 1, EventType.CLICK,
            "Clicks that arrived after their impression's attribution window closed."),
    SAMPLES("samples", 4, EventType.LABELED_SAMPLE,
            "Labeled, history-enriched training samples of both domains."),
    MODEL_VERSIONS("model.versions", 1, EventType.MODEL_VERSION,
            "Announcements of published snapshots; one partition keeps them in order."),
    PREDICTIONS("predictions", 4, EventType.PREDICTION,
            "Prequential scores: each made before the model trained on the sample."),
    METRICS("metrics", 1, EventType.TRAINING_METRICS,
            "Windowed AUC, GAUC and log-loss per trainer and domain."),
    DEAD_LETTERS("dead-letters", 1, EventType.DEAD_LETTER,
            "Input records that could not be used, with the reason.");

    private final String topicName;
    private final int defaultPartitions;
    private final EventType eventType;
    private final String description;

    Topic(String topicName, int defaultPartitions, EventType eventType, String description) {
        this.topicName = topicName;
        this.defaultPartitions = defaultPartitions;
        this.eventType = eventType;
        this.description = description;
    }

    /** The Kafka topic name, e.g. {@code posts.impressions}. */
    public String topicName() {
        return topicName;
    }

    public int defaultPartitions() {
        return defaultPartitions;
    }

    public EventType eventType() {
        return eventType;
    }

    public String description() {
        return description;
    }
}

package dev.transflow.topic;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Writes events of one type to their {@link Topic}, keyed by a string field, with the value in the topic's Avro
 * single-object encoding: encoded here, or already encoded upstream.
 */
public final class EventRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final SerializableFunction<T, String> key;
    private final SerializableFunction<T, byte[]> value;

    public EventRecordSerializer(Topic topic, SerializableFunction<T, String> key,
            SerializableFunction<T, byte[]> value) {
        this.topic = topic.topicName();
        this.key = key;
        this.value = value;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        String k = key.apply(element);
        return new ProducerRecord<>(topic, null, timestamp, k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                value.apply(element));
    }
}

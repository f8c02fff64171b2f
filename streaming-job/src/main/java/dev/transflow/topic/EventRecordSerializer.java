package dev.transflow.topic;

import dev.transflow.schemas.codec.EventCodec;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/** Writes events of one type to their {@link Topic}, Avro single-object encoded, keyed by a string field. */
public final class EventRecordSerializer<T extends SpecificRecord> implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final EventCodec<T> codec;
    private final SerializableFunction<T, String> key;

    @SuppressWarnings("unchecked")
    public EventRecordSerializer(Topic topic, SerializableFunction<T, String> key) {
        this.topic = topic.topicName();
        this.codec = (EventCodec<T>) EventCodec.of(topic.eventType().recordClass());
        this.key = key;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        String k = key.apply(element);
        return new ProducerRecord<>(topic, null, timestamp, k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                codec.encode(element));
    }
}

package dev.transflow.topic;

import dev.transflow.schemas.codec.EventCodec;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.avro.specific.SpecificRecord;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes Transflow events to their topics, Avro single-object encoded, keyed by a string (usually the user id).
 * Sends are asynchronous; the first failure is rethrown by the next {@link #send}, {@link #flush} or
 * {@link #close}, so a broken broker stops the writer instead of losing events silently.
 */
public final class EventProducer implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<Topic, EventCodec<SpecificRecord>> codecs = new EnumMap<>(Topic.class);
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile long sent;

    public EventProducer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        // Kafka's default, said out loud: the jobs' sinks have the same limit (transflow.sink.max-request-size).
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) SinkOptions.MAX_REQUEST_SIZE.defaultValue().getBytes());
        producer = new KafkaProducer<>(props);
    }

    /** Sends {@code record} to {@code topic} with the given event time as the Kafka timestamp. */
    public void send(Topic topic, String key, SpecificRecord record, long eventTime) {
        rethrow();
        if (!topic.eventType().recordClass().isInstance(record)) {
            throw new IllegalArgumentException("Topic " + topic.topicName() + " carries "
                    + topic.eventType().recordName() + ", not " + record.getClass().getSimpleName());
        }
        byte[] value = codecs.computeIfAbsent(topic, t -> codecFor(t)).encode(record);
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topic.topicName(), null, eventTime, keyBytes, value), (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
        sent++;
    }

    /**
     * Sends bytes as they are, without encoding or checks: for tools that exercise the dead-letter path with
     * malformed records.
     */
    public void sendRaw(Topic topic, String key, byte[] value, long timestamp) {
        rethrow();
        producer.send(new ProducerRecord<>(topic.topicName(), null, timestamp,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value), (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
        sent++;
    }

    /** Records handed to {@link #send} and {@link #sendRaw} so far; safe to read from any thread. */
    public long sent() {
        return sent;
    }

    /** Blocks until every record sent so far is acknowledged. */
    public void flush() {
        producer.flush();
        rethrow();
    }

    @Override
    public void close() {
        try {
            producer.flush();
        } finally {
            producer.close();
        }
        rethrow();
    }

    @SuppressWarnings("unchecked")
    private static EventCodec<SpecificRecord> codecFor(Topic topic) {
        return (EventCodec<SpecificRecord>) EventCodec.of(topic.eventType().recordClass());
    }

    private void rethrow() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("Writing to Kafka failed: " + e.getMessage(), e);
        }
    }
}

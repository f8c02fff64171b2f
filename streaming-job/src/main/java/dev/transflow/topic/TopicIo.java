package dev.transflow.topic;

import dev.transflow.schemas.codec.EventCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.time.Duration;

/** Kafka sources and sinks of Transflow's jobs, configured one way. */
public final class TopicIo {

    private TopicIo() {}

    /** The KafkaSink writer's switch for Kafka producer metrics (it has no public constant). */
    private static final String REGISTER_PRODUCER_METRICS = "register.producer.metrics";

    public static final ConfigOption<DeliveryGuarantee> DELIVERY_GUARANTEE = ConfigOptions
            .key("sink.delivery-guarantee").enumType(DeliveryGuarantee.class)
            .defaultValue(DeliveryGuarantee.EXACTLY_ONCE)
            .withDescription("EXACTLY_ONCE: output records are written in Kafka transactions that commit with each "
                    + "checkpoint (readers use isolation.level=read_committed and see them after the checkpoint). "
                    + "AT_LEAST_ONCE: visible at once, duplicated after a failure.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = ConfigOptions
            .key("sink.transaction-timeout").durationType().defaultValue(Duration.ofMinutes(15))
            .withDescription("Kafka transaction timeout of exactly-once sinks; at most the broker's "
                    + "transaction.max.timeout.ms (15 min by default) and well above the checkpoint interval.");

    public static final ConfigOption<MemorySize> MAX_REQUEST_SIZE = ConfigOptions.key("sink.max-request-size")
            .memoryType().defaultValue(MemorySize.parse("1mb"))
            .withDescription("Largest record the Kafka sinks send (the producers' max.request.size); Kafka's "
                    + "default. Keep it at most the broker's message.max.bytes and the topics' max.message.bytes "
                    + "(also 1 MiB by default), or the broker rejects what the producer sends. Input records, samples "
                    + "and dead letters are bounded to fit it (source.max-record-size, "
                    + "source.max-dead-letter-payload).");

    /**
     * Bytes Kafka adds to a record's key and value in a batch of one, with room to spare (about 90 in Kafka 4:
     * batch header, record header, varint lengths). The producer rejects a record whose size with these exceeds
     * {@link #MAX_REQUEST_SIZE}.
     */
    public static final int RECORD_OVERHEAD = 1024;

    /** {@link #MAX_REQUEST_SIZE} in bytes: an int for Kafka, and at least 64 KiB, room for a sample with history. */
    public static int maxRequestSize(Configuration config) {
        long size = config.get(MAX_REQUEST_SIZE).getBytes();
        if (size < 64 * 1024 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(MAX_REQUEST_SIZE.key() + " is " + size + " bytes; it must be between "
                    + 64 * 1024 + " and " + Integer.MAX_VALUE);
        }
        return (int) size;
    }

    public static final ConfigOption<Boolean> KAFKA_CLIENT_METRICS = ConfigOptions
            .key("kafka.client-metrics").booleanType().defaultValue(false)
            .withDescription("Also register every metric of the Kafka consumers and producers with Flink (dozens "
                    + "per client). Off by default: the web UI and REST fetch all metrics at once, which then costs "
                    + "noticeable CPU. Flink's own source and sink metrics (records in and out, pending records, "
                    + "commits) are registered either way.");

    /**
     * Reads every record of {@code topic} through {@code deserializer}, from the group's committed offsets or the
     * earliest. Only committed records of transactional writers are read.
     *
     * @param bounded stop at the offsets that are the latest when the job starts
     * @param deserializer must not fail on any record: a failure here fails the job, which then restarts into the
     *        same record (see {@link dev.transflow.source.DecodingDeserializer})
     */
    public static <T> KafkaSource<T> source(String bootstrap, Topic topic, String groupId, boolean bounded,
            Configuration config, KafkaRecordDeserializationSchema<T> deserializer) {
        var builder = KafkaSource.<T>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topic.topicName())
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .setProperty(KafkaSourceOptions.REGISTER_KAFKA_CONSUMER_METRICS.key(),
                        Boolean.toString(config.get(KAFKA_CLIENT_METRICS)))
                .setDeserializer(deserializer);
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * A sink of {@code topic}'s events keyed by {@code key}, with the delivery guarantee of
     * {@link #DELIVERY_GUARANTEE}.
     *
     * @param job a name unique among the jobs writing to one cluster: transactional ids derive from it
     */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> KafkaSink<T> sink(String bootstrap, Topic topic,
            SerializableFunction<T, String> key, Configuration config, String job) {
        EventCodec<T> codec = (EventCodec<T>) EventCodec.of(topic.eventType().recordClass());
        return encodedSink(bootstrap, topic, key, codec::encode, config, job);
    }

    /**
     * As {@link #sink}, for events that are already in {@code topic}'s encoding: {@code value} gives their bytes.
     */
    public static <T> KafkaSink<T> encodedSink(String bootstrap, Topic topic, SerializableFunction<T, String> key,
            SerializableFunction<T, byte[]> value, Configuration config, String job) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(new EventRecordSerializer<>(topic, key, value))
                .setDeliveryGuarantee(config.get(DELIVERY_GUARANTEE))
                .setTransactionalIdPrefix("transflow-" + job + "-" + topic.topicName())
                .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                        Long.toString(config.get(TRANSACTION_TIMEOUT).toMillis()))
                .setProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxRequestSize(config)))
                .setProperty(REGISTER_PRODUCER_METRICS, Boolean.toString(config.get(KAFKA_CLIENT_METRICS)))
                .build();
    }
}

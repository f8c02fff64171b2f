package dev.transflow.topic;

import dev.transflow.schemas.codec.EventCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Kafka sources and sinks of Transflow's jobs, configured one way: by {@link SinkOptions} and {@link KafkaOptions}. */
public final class TopicIo {

    private TopicIo() {}

    /** The KafkaSink writer's switch for Kafka producer metrics (it has no public constant). */
    private static final String REGISTER_PRODUCER_METRICS = "register.producer.metrics";

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
                        Boolean.toString(config.get(KafkaOptions.CLIENT_METRICS)))
                .setDeserializer(deserializer);
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * A sink of {@code topic}'s events keyed by {@code key}, with the delivery guarantee of
     * {@link SinkOptions#DELIVERY_GUARANTEE}.
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
                .setDeliveryGuarantee(config.get(SinkOptions.DELIVERY_GUARANTEE))
                .setTransactionalIdPrefix("transflow-" + job + "-" + topic.topicName())
                .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                        Long.toString(SinkOptions.transactionTimeout(config).toMillis()))
                .setProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(SinkOptions.maxRequestSize(config)))
                .setProperty(REGISTER_PRODUCER_METRICS, Boolean.toString(config.get(KafkaOptions.CLIENT_METRICS)))
                .build();
    }
}

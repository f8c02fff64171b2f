package dev.transflow.source;

import dev.transflow.schemas.DeadLetter;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes Kafka records inside the source ({@link RecordDecoder}), so that the source sees their event times and
 * generates watermarks per partition. Every record comes out, as its event or as its dead letter: this never fails,
 * whatever the payload. {@link DeadLetterSplit} then sends the dead letters to their side output.
 */
public final class DecodingDeserializer<T extends SpecificRecord>
        implements KafkaRecordDeserializationSchema<Either<DeadLetter, T>> {

    private static final long serialVersionUID = 1L;

    private final RecordDecoder<T> decoder;

    public DecodingDeserializer(RecordDecoder<T> decoder) {
        this.decoder = decoder;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Either<DeadLetter, T>> out) {
        out.collect(decoder.decode(new RawRecord(record.topic(), record.partition(), record.offset(),
                record.timestamp(), record.key(), record.value())));
    }

    @Override
    public TypeInformation<Either<DeadLetter, T>> getProducedType() {
        return typeOf(decoder.type());
    }

    /** The type of decoded records of {@code type}. */
    public static <T> TypeInformation<Either<DeadLetter, T>> typeOf(Class<T> type) {
        return new EitherTypeInfo<>(TypeInformation.of(DeadLetter.class), TypeInformation.of(type));
    }
}

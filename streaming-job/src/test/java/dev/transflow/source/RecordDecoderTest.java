package dev.transflow.source;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.PostFeatures;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.ProductFeatures;
import dev.transflow.schemas.ProductImpression;
import dev.transflow.schemas.SharedFeatures;
import dev.transflow.schemas.UserProfile;
import dev.transflow.schemas.codec.EventCodec;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RecordDecoder} and {@link DecodingDeserializer} decode, {@link DeadLetterSplit} routes the dead letters. */
class RecordDecoderTest {

    private static final long NOW = 1_767_225_600_000L;
    private static final EventValidator VALIDATOR = new EventValidator(16, 3_600_000L);

    private static PostImpression post(String id, long time, Integer textLength) {
        return PostImpression.newBuilder().setImpressionId(id).setEventTime(time).setUserId("u1").setItemId("t1")
                .setUser(new UserProfile(2, "f", "c1", new FeatureValues(Map.of(), Map.of())))
                .setShared(new SharedFeatures("c4", "cr1", new FeatureValues(Map.of(), Map.of())))
                .setSpecific(new PostFeatures("review", "video", textLength, new FeatureValues(Map.of(), Map.of())))
                .build();
    }

    private static RawRecord raw(long offset, byte[] value) {
        return new RawRecord("posts.impressions", 0, offset, NOW, "u1".getBytes(StandardCharsets.UTF_8), value);
    }

    private static RecordDecoder<PostImpression> posts() {
        return new RecordDecoder<>(PostImpression.class, VALIDATOR, () -> NOW);
    }

    @Test
    void goodRecordsPassBadOnesBecomeDeadLettersWithTheirReason() throws Exception {
        byte[] good = EventCodec.of(PostImpression.class).encode(post("i1", NOW - 1000, 120));
        byte[] click = EventCodec.of(Click.class).encode(new Click("i1", "u1", "t1", EntityType.POST, NOW));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 5);
        byte[] future = EventCodec.of(PostImpression.class).encode(post("i2", NOW + 7_200_000L, 120));
        byte[] negative = EventCodec.of(PostImpression.class).encode(post("i3", NOW, -4));
        byte[] longId = EventCodec.of(PostImpression.class).encode(post("x".repeat(17), NOW, 1));

        try (Decoding<PostImpression> decoding = new Decoding<>(posts())) {
            long offset = 0;
            for (byte[] value : List.of(good, "{}".getBytes(StandardCharsets.UTF_8), click, truncated, future,
                    negative, longId)) {
                decoding.process(raw(offset++, value));
            }
            decoding.process(raw(offset, null));

            assertThat(decoding.harness.extractOutputValues()).extracting(PostImpression::getImpressionId)
                    .containsExactly("i1");
            List<DeadLetter> letters = decoding.deadLetters();
            assertThat(letters).extracting(DeadLetter::getReasonCode).containsExactly("NOT_SINGLE_OBJECT",
                    "WRONG_TYPE", "CORRUPT_PAYLOAD", "INVALID_FIELD", "INVALID_FIELD", "INVALID_FIELD",
                    "NOT_SINGLE_OBJECT");
            assertThat(letters).extracting(DeadLetter::getOffset).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
            assertThat(letters.get(3).getReason()).contains("in the future").contains("source.max-future-skew");
            assertThat(letters.get(4).getReason()).contains("textLength is -4");
            assertThat(letters.get(5).getReason()).contains("impressionId has 17 characters");
            assertThat(letters.get(1).getValue().array()).isEqualTo(click);
            assertThat(letters).allSatisfy(l -> {
                assertThat(l.getSourceTopic()).isEqualTo("posts.impressions");
                assertThat(l.getStage()).isEqualTo("decode");
            });
            assertThat(decoding.count("deadLetters")).isEqualTo(7);
            assertThat(decoding.count("decoded")).isEqualTo(1);
        }
    }

    @Test
    void theDeserializerTurnsEveryRecordIntoAnEventOrADeadLetterWithItsCoordinates() {
        DecodingDeserializer<PostImpression> deserializer = new DecodingDeserializer<>(posts());
        byte[] good = EventCodec.of(PostImpression.class).encode(post("i1", NOW - 1000, 120));
        List<Either<DeadLetter, PostImpression>> out = new ArrayList<>();
        Collector<Either<DeadLetter, PostImpression>> collector = new Collector<>() {
            @Override
            public void collect(Either<DeadLetter, PostImpression> record) {
                out.add(record);
            }

            @Override
            public void close() {}
        };

        deserializer.deserialize(new ConsumerRecord<>("posts.impressions", 2, 40, null, good), collector);
        deserializer.deserialize(new ConsumerRecord<>("posts.impressions", 3, 41, "u1".getBytes(
                StandardCharsets.UTF_8), new byte[] {1, 2, 3}), collector);
        deserializer.deserialize(new ConsumerRecord<>("posts.impressions", 3, 42, null, null), collector);

        assertThat(out).hasSize(3);
        assertThat(out.get(0).right().getImpressionId()).isEqualTo("i1");
        assertThat(out.subList(1, 3)).allSatisfy(e -> assertThat(e.isLeft()).isTrue());
        DeadLetter letter = out.get(1).left();
        assertThat(letter.getPartition()).isEqualTo(3);
        assertThat(letter.getOffset()).isEqualTo(41);
        assertThat(bytes(letter.getKey())).isEqualTo("u1".getBytes(StandardCharsets.UTF_8));
        assertThat(deserializer.getProducedType()).isInstanceOf(EitherTypeInfo.class);
    }

    @Test
    void deadLettersKeepTheKafkaTimestampOfTheirRecord() throws Exception {
        try (Decoding<PostImpression> decoding = new Decoding<>(posts())) {
            decoding.harness.processElement(posts().decode(raw(0, new byte[] {9})), 1_234L);

            assertThat(decoding.harness.getSideOutput(DeadLetterSplit.DEAD_LETTERS)).singleElement()
                    .extracting(StreamRecord::getTimestamp).isEqualTo(1_234L);
        }
    }

    @Test
    void productAndClickChecks() throws Exception {
        ProductImpression nanPrice = ProductImpression.newBuilder().setImpressionId("p").setEventTime(NOW)
                .setUserId("u").setItemId("i")
                .setUser(new UserProfile(null, null, null, new FeatureValues(Map.of(), Map.of("score", Double.NaN))))
                .setShared(new SharedFeatures(null, null, new FeatureValues(Map.of(), Map.of())))
                .setSpecific(new ProductFeatures(1.0, null, null, new FeatureValues(Map.of(), Map.of())))
                .build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VALIDATOR.validate(nanPrice, NOW))
                .hasMessageContaining("user.extra.score is NaN");
        nanPrice.getUser().setExtra(new FeatureValues(Map.of(), Map.of()));
        nanPrice.getSpecific().setPrice(Double.POSITIVE_INFINITY);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VALIDATOR.validate(nanPrice, NOW))
                .hasMessageContaining("specific.price is Infinity");
        nanPrice.getSpecific().setPrice(3.5);
        VALIDATOR.validate(nanPrice, NOW);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VALIDATOR.validate(
                new Click("i", "", "t", EntityType.POST, NOW), NOW)).hasMessageContaining("userId is empty");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VALIDATOR.validate(
                new Click("i", "u", "t", EntityType.POST, 0L), NOW)).hasMessageContaining("not a positive");
    }

    /** Kafka's default max.request.size, which the sinks use unless sink.max-request-size says otherwise. */
    private static final int PRODUCER_LIMIT = 1024 * 1024;

    private static PostImpression postWithExtras(String id, int entries, int valueChars) {
        Map<String, String> categorical = new HashMap<>();
        for (int i = 0; i < entries; i++) {
            categorical.put("f" + i, "v".repeat(valueChars));
        }
        PostImpression post = post(id, NOW, 1);
        post.getSpecific().setExtra(new FeatureValues(categorical, Map.of()));
        return post;
    }

    @Test
    void recordOverTheSizeLimitIsADeadLetterWithItsPayloadCut() throws Exception {
        // Default limits: 512 KiB accepted, 64 KiB of the value kept in the dead letter.
        byte[] large = EventCodec.of(PostImpression.class).encode(postWithExtras("big", 1, 600_000));
        byte[] small = EventCodec.of(PostImpression.class).encode(post("i1", NOW, 1));

        try (Decoding<PostImpression> decoding = new Decoding<>(posts())) {
            decoding.process(raw(0, large));
            decoding.process(raw(1, small));

            assertThat(decoding.harness.extractOutputValues()).extracting(PostImpression::getImpressionId)
                    .containsExactly("i1");
            DeadLetter letter = decoding.onlyDeadLetter();
            assertThat(letter.getReasonCode()).isEqualTo("RECORD_TOO_LARGE");
            assertThat(letter.getReason()).contains(large.length + " bytes").contains("source.max-record-size");
            assertThat(letter.getOffset()).isZero();
            assertThat(bytes(letter.getValue())).isEqualTo(Arrays.copyOf(large, 64 * 1024));
            assertThat(letter.getValueTruncated()).isTrue();
            assertThat(letter.getValueSize()).isEqualTo(large.length);
            assertThat(letter.getKeyTruncated()).isFalse();
            assertThat(decoding.count("deadLetters")).isEqualTo(1);
            assertThat(decoding.count("decoded")).isEqualTo(1);
        }
    }

    @Test
    void tooManyExtraEntriesAreInvalid() throws Exception {
        // Default limit: 256 entries in all extra maps together; this record is small (about 3 KB).
        byte[] crowded = EventCodec.of(PostImpression.class).encode(postWithExtras("crowded", 257, 1));
        byte[] full = EventCodec.of(PostImpression.class).encode(postWithExtras("full", 256, 1));

        try (Decoding<PostImpression> decoding = new Decoding<>(posts())) {
            decoding.process(raw(0, crowded));
            decoding.process(raw(1, full));

            assertThat(decoding.harness.extractOutputValues()).extracting(PostImpression::getImpressionId)
                    .containsExactly("full");
            DeadLetter letter = decoding.onlyDeadLetter();
            assertThat(letter.getReasonCode()).isEqualTo("INVALID_FIELD");
            assertThat(letter.getReason()).contains("257 entries").contains("specific 257")
                    .contains("source.max-extra-entries");
            assertThat(bytes(letter.getValue())).isEqualTo(crowded);
            assertThat(letter.getValueTruncated()).isFalse();
            assertThat(decoding.count("deadLetters")).isEqualTo(1);
        }
    }

    @Test
    void deadLetterOfARecordNearTheBrokerLimitFitsTheProducerLimit() throws Exception {
        // Just under what a broker accepts by default, key included: garbage, so it is rejected undecoded.
        byte[] key = new byte[8_000];
        byte[] value = new byte[PRODUCER_LIMIT - key.length - 200];
        Arrays.fill(value, (byte) 'x');
        RawRecord nearLimit = new RawRecord("posts.impressions", 3, 99, NOW, key, value);

        try (Decoding<PostImpression> decoding = new Decoding<>(posts())) {
            decoding.process(nearLimit);

            DeadLetter letter = decoding.onlyDeadLetter();
            byte[] encoded = EventCodec.of(DeadLetter.class).encode(letter);
            byte[] sinkKey = letter.getSourceTopic().getBytes(StandardCharsets.UTF_8);
            // The producer's own check: record size with Kafka's framing, uncompressed, against max.request.size.
            assertThat(AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                    CompressionType.NONE, sinkKey, encoded, new Header[0])).isLessThanOrEqualTo(PRODUCER_LIMIT);
            assertThat(letter.getValueSize()).isEqualTo(value.length);
            assertThat(letter.getValueTruncated()).isTrue();
        }
    }

    @Test
    void everyDeadLetterFitsItsBound() {
        int payload = 1000;
        DeadLetters letters = new DeadLetters(payload);
        String topic = "t".repeat(249);
        // U+FFFF takes 3 bytes in UTF-8, the most per Java char.
        String reason = "\uffff".repeat(100_000);
        DeadLetter letter = letters.of(new RawRecord(topic, Integer.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE,
                new byte[5000], new byte[5000]), "\uffff".repeat(300), reason, "\uffff".repeat(300), Long.MIN_VALUE);

        byte[] encoded = EventCodec.of(DeadLetter.class).encode(letter);
        byte[] sinkKey = letter.getSourceTopic().getBytes(StandardCharsets.UTF_8);
        assertThat((long) AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                CompressionType.NONE, sinkKey, encoded, new Header[0]))
                .isLessThanOrEqualTo(DeadLetters.maxRecordSize(payload));
        assertThat(letter.getKeyTruncated()).isTrue();
        assertThat(letter.getReason()).hasSize(DeadLetters.MAX_REASON_CHARS).endsWith("[cut: 100000 chars]");
    }

    @Test
    void categoryIsBoundedLikeAnId() {
        PostImpression post = post("i", NOW, 1);
        post.getShared().setCategory("c".repeat(17));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VALIDATOR.validate(post, NOW))
                .hasMessageContaining("shared.category has 17 characters")
                .hasMessageContaining("source.max-id-length");
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    /** A decoder, and its dead-letter split in a harness whose metrics can be read. */
    private static final class Decoding<T extends SpecificRecord> implements AutoCloseable {
        final InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        final MockEnvironment environment;
        final RecordDecoder<T> decoder;
        final OneInputStreamOperatorTestHarness<Either<DeadLetter, T>, T> harness;

        Decoding(RecordDecoder<T> decoder) throws Exception {
            this.decoder = decoder;
            environment = new MockEnvironmentBuilder().setMetricGroup(new InterceptingTaskMetricGroup() {
                @Override
                public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name,
                        Map<String, String> additionalVariables) {
                    return metrics;
                }
            }).build();
            harness = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new DeadLetterSplit<T>()),
                    environment);
            harness.open();
        }

        void process(RawRecord raw) throws Exception {
            harness.processElement(decoder.decode(raw), raw.timestamp);
        }

        List<DeadLetter> deadLetters() {
            ConcurrentLinkedQueue<StreamRecord<DeadLetter>> dead = harness.getSideOutput(DeadLetterSplit.DEAD_LETTERS);
            return dead == null ? List.of() : dead.stream().map(StreamRecord::getValue).toList();
        }

        long count(String counter) {
            return ((Counter) metrics.get(counter)).getCount();
        }

        DeadLetter onlyDeadLetter() {
            List<DeadLetter> dead = deadLetters();
            assertThat(dead).hasSize(1);
            return dead.get(0);
        }

        @Override
        public void close() throws Exception {
            try {
                harness.close();
            } finally {
                environment.close();
            }
        }
    }
}

package dev.transflow.job;

import dev.transflow.history.HistoryOptions;
import dev.transflow.join.EncodedImpression;
import dev.transflow.join.EncodedSample;
import dev.transflow.join.JoinOptions;
import dev.transflow.join.SampleJoinOperator;
import dev.transflow.join.Samples;
import dev.transflow.schemas.Click;
import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.ProductImpression;
import dev.transflow.schemas.codec.PendingSampleEncoding;
import dev.transflow.source.DeadLetterSplit;
import dev.transflow.source.DecodingDeserializer;
import dev.transflow.source.EventTimeWatermarks;
import dev.transflow.source.RecordDecoder;
import dev.transflow.source.SourceOptions;
import dev.transflow.topic.SinkOptions;
import dev.transflow.topic.Topic;
import dev.transflow.topic.TopicIo;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.function.SerializableFunction;

import java.time.Duration;

/**
 * The sample pipeline: impressions and clicks from Kafka are decoded (bad records, and later impression ids seen
 * twice, to {@code dead-letters}), then
 * the sample join, keyed by user, gives each impression its user's click history as of the impression and its
 * label; labeled samples go to {@code samples}, late and unmatched clicks to {@code clicks.late}. Trainers read the
 * samples.
 *
 * <p>Records are decoded in the Kafka source ({@link DecodingDeserializer}) so that watermarks are generated per
 * partition ({@link EventTimeWatermarks}): a subtask reading several partitions would otherwise take the newest
 * event time of all of them, and the records of a partition that lags would arrive late, their windows closed.
 */
public final class SampleJob {

    private SampleJob() {}

    /**
     * Adds the pipeline to {@code env}.
     *
     * @param bounded read the topics up to their current end and stop (tests, backfills), instead of forever
     * @return the labeled samples of both domains, encoded
     */
    public static DataStream<EncodedSample> build(StreamExecutionEnvironment env, String bootstrap, String groupId,
            Configuration config, boolean bounded) {
        maxSampleSize(config); // fail now, not at the first large sample
        Duration window = JoinOptions.attributionWindow(config); // and not at the first record from the future
        int maxRecordSize = SourceOptions.maxRecordSize(config);
        Duration outOfOrderness = SourceOptions.outOfOrderness(config);
        Duration idleness = SourceOptions.idleness(config);

        SingleOutputStreamOperator<ProductImpression> products = decode(env, bootstrap, groupId, config, bounded,
                Topic.PRODUCT_IMPRESSIONS, ProductImpression.class, maxRecordSize,
                EventTimeWatermarks.of(ProductImpression::getEventTime, outOfOrderness, idleness));
        SingleOutputStreamOperator<PostImpression> posts = decode(env, bootstrap, groupId, config, bounded,
                Topic.POST_IMPRESSIONS, PostImpression.class, maxRecordSize,
                EventTimeWatermarks.of(PostImpression::getEventTime, outOfOrderness, idleness));
        SingleOutputStreamOperator<Click> clicks = decode(env, bootstrap, groupId, config, bounded,
                Topic.CLICKS, Click.class, maxRecordSize,
                EventTimeWatermarks.of(Click::getEventTime, outOfOrderness, idleness));
        DataStream<DeadLetter> deadLetters = products.getSideOutput(DeadLetterSplit.DEAD_LETTERS).union(
                posts.getSideOutput(DeadLetterSplit.DEAD_LETTERS), clicks.getSideOutput(DeadLetterSplit.DEAD_LETTERS));

        TypeInformation<EncodedImpression> impressionType = TypeInformation.of(EncodedImpression.class);
        DataStream<EncodedImpression> impressions = products
                .map(new Encode<>(Samples::of)).returns(impressionType).name("product samples")
                .union(posts.map(new Encode<>(Samples::of)).returns(impressionType).name("post samples"));

        SingleOutputStreamOperator<EncodedSample> labeled = impressions.keyBy(i -> i.userId)
                .connect(clicks.keyBy(Click::getUserId))
                .transform("sample join", TypeInformation.of(EncodedSample.class), new SampleJoinOperator(
                        window,
                        JoinOptions.lateClickRetention(config),
                        config.get(HistoryOptions.LENGTH), HistoryOptions.ttl(config)))
                .uid("sample-join");

        labeled.sinkTo(TopicIo.encodedSink(bootstrap, Topic.SAMPLES, s -> s.userId, s -> s.bytes, config, groupId))
                .name("samples sink").uid("samples-sink");
        labeled.getSideOutput(SampleJoinOperator.LATE_CLICKS)
                .sinkTo(TopicIo.sink(bootstrap, Topic.LATE_CLICKS, Click::getUserId, config, groupId))
                .name("late clicks sink").uid("late-clicks-sink");
        deadLetters.union(labeled.getSideOutput(SampleJoinOperator.DUPLICATE_IMPRESSIONS))
                .sinkTo(TopicIo.sink(bootstrap, Topic.DEAD_LETTERS, DeadLetter::getSourceTopic, config, groupId))
                .name("dead letters sink").uid("dead-letters-sink");
        return labeled;
    }

    /**
     * Largest encoded sample, in bytes, that an impression within the {@link SourceOptions} limits can become: the
     * impression (at most {@code transflow.source.max-record-size}), the names its typed fields get as feature
     * entries, and {@code transflow.history.length} clicked products and posts (item id and category at most
     * {@code transflow.source.max-id-length} characters each). Checked to fit {@link SinkOptions#MAX_REQUEST_SIZE} with the record's key (the user id).
     */
    static int maxSampleSize(Configuration config) {
        int maxRecord = SourceOptions.maxRecordSize(config);
        int maxId = SourceOptions.maxIdLength(config);
        int historyLength = config.get(HistoryOptions.LENGTH);
        long idBytes = 5 + 3L * maxId; // a length, then at most 3 UTF-8 bytes per char
        long clickedItem = idBytes + 1 + idBytes + 10; // item id, category (a union), click time
        long history = 2 * (historyLength * clickedItem + 10 + 1); // two arrays: items, count, end
        long size = maxRecord + TYPED_FIELD_NAMES + history + 5 + 10 + 10; // label, impression and label time
        int limit = SinkOptions.maxRequestSize(config);
        if (historyLength < 0 || size + idBytes + SinkOptions.RECORD_OVERHEAD > limit) {
            throw new IllegalArgumentException(String.format("A sample can take %d bytes (%s %d, %s %d, %s %d): "
                    + "with its key and Kafka's framing it does not fit %s (%d bytes). Lower one of the first three, "
                    + "or raise the last within the broker's message.max.bytes", size,
                    SourceOptions.MAX_RECORD_SIZE.key(), maxRecord, HistoryOptions.LENGTH.key(),
                    historyLength, SourceOptions.MAX_ID_LENGTH.key(), maxId, SinkOptions.MAX_REQUEST_SIZE.key(),
                    limit));
        }
        return (int) size;
    }

    /**
     * Bytes a sample adds to its impression by naming typed fields as feature entries ({@link Samples}): about ten
     * fields, each a key of under 20 characters; with room to spare.
     */
    private static final int TYPED_FIELD_NAMES = 1024;

    /**
     * Reads {@code topic} and decodes it into {@code type} in the source, with {@code watermarks} per partition;
     * records over {@code maxRecordSize} bytes and records that fail go to the {@link DeadLetterSplit#DEAD_LETTERS}
     * side output.
     */
    static <T extends SpecificRecord> SingleOutputStreamOperator<T> decode(StreamExecutionEnvironment env,
            String bootstrap, String groupId, Configuration config, boolean bounded, Topic topic, Class<T> type,
            int maxRecordSize, WatermarkStrategy<Either<DeadLetter, T>> watermarks) {
        DecodingDeserializer<T> deserializer = new DecodingDeserializer<>(RecordDecoder.of(type, config,
                maxRecordSize));
        return env.fromSource(TopicIo.source(bootstrap, topic, groupId, bounded, config, deserializer), watermarks,
                        topic.topicName())
                .uid("source-" + topic.topicName())
                .process(new DeadLetterSplit<T>())
                .returns(TypeInformation.of(type))
                // The uid of the decode operator this replaced (stateless), so that savepoints map one to one.
                .name("dead letters of " + topic.topicName()).uid("decode-" + topic.topicName());
    }

    /** An impression as an unlabeled sample, encoded where it was decoded (each subtask has its own encoder). */
    private static final class Encode<T> implements MapFunction<T, EncodedImpression> {
        private static final long serialVersionUID = 1L;
        private final SerializableFunction<T, LabeledSample> toSample;
        private final PendingSampleEncoding encoding = new PendingSampleEncoding();

        Encode(SerializableFunction<T, LabeledSample> toSample) {
            this.toSample = toSample;
        }

        @Override
        public EncodedImpression map(T impression) {
            return EncodedImpression.of(toSample.apply(impression), encoding);
        }
    }
}

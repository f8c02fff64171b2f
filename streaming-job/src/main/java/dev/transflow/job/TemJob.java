package dev.transflow.job;

import dev.transflow.join.EncodedSample;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.schemas.Prediction;
import dev.transflow.schemas.TrainingMetrics;
import dev.transflow.source.DeadLetterSplit;
import dev.transflow.source.EventTimeWatermarks;
import dev.transflow.source.SourceOptions;
import dev.transflow.topic.Topic;
import dev.transflow.topic.TopicIo;
import dev.transflow.train.TemTrainer;
import dev.transflow.train.TrainerOptions;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job of {@code transflow run}: the sample pipeline ({@link SampleJob}) followed by the TEM trainer on the
 * target samples, with MEM announcements from {@code model.versions} as a broadcast input. Predictions go to
 * {@code predictions}, metric windows to {@code metrics}, TEM snapshot announcements to {@code model.versions}.
 */
public final class TemJob {

    /** Job name, also the consumer group and transactional-id base unless configured otherwise. */
    public static final String NAME = "transflow-tem";

    private TemJob() {}

    /**
     * @param tap a transformation of the target samples right before the trainer, e.g. to inject a failure
     *        (tests), or null
     */
    public static void build(StreamExecutionEnvironment env, String bootstrap, String groupId,
            Configuration config, boolean bounded, SampleTap tap) {
        FeatureSchema schema = TrainerOptions.featureSchema(config);
        TemTrainer trainer = new TemTrainer(schema, config);
        DataStream<EncodedSample> target = SampleJob.build(env, bootstrap, groupId, config, bounded)
                .filter(sample -> sample.domain == Domain.TARGET).name("target samples");
        if (tap != null) {
            target = tap.apply(target);
        }

        SingleOutputStreamOperator<ModelVersion> versions = SampleJob.decode(env, bootstrap, groupId, config, bounded,
                Topic.MODEL_VERSIONS, ModelVersion.class, SourceOptions.maxRecordSize(config),
                EventTimeWatermarks.none()).setParallelism(1);
        versions.getSideOutput(DeadLetterSplit.DEAD_LETTERS)
                .sinkTo(TopicIo.sink(bootstrap, Topic.DEAD_LETTERS, DeadLetter::getSourceTopic, config,
                        groupId + "-versions"))
                .name("version dead letters sink").uid("version-dead-letters-sink");

        SingleOutputStreamOperator<Prediction> predictions = target
                .connect(versions.broadcast(TemTrainer.ANNOUNCEMENTS))
                .process(trainer).returns(TypeInformation.of(Prediction.class))
                .setParallelism(1).setMaxParallelism(1).name("TEM trainer").uid(TemTrainer.UID);
        predictions.sinkTo(TopicIo.sink(bootstrap, Topic.PREDICTIONS, Prediction::getUserId, config, groupId))
                .name("predictions sink").uid("predictions-sink");
        predictions.getSideOutput(TemTrainer.METRICS)
                .sinkTo(TopicIo.sink(bootstrap, Topic.METRICS, TrainingMetrics::getJob, config, groupId))
                .name("metrics sink").uid("metrics-sink");
        predictions.getSideOutput(TemTrainer.PUBLISHED)
                .sinkTo(TopicIo.sink(bootstrap, Topic.MODEL_VERSIONS, v -> v.getModelKind().name(), config, groupId))
                .name("model versions sink").uid("model-versions-sink");
    }

    /** A transformation of the target sample stream inserted before the trainer. */
    @FunctionalInterface
    public interface SampleTap {
        DataStream<EncodedSample> apply(DataStream<EncodedSample> samples);
    }
}

package dev.transflow.job;

import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.schemas.TrainingMetrics;
import dev.transflow.source.DeadLetterSplit;
import dev.transflow.source.EventTimeWatermarks;
import dev.transflow.topic.SinkOptions;
import dev.transflow.topic.Topic;
import dev.transflow.topic.TopicIo;
import dev.transflow.train.MemTrainer;
import dev.transflow.train.TrainerOptions;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job of {@code transflow pretrain mem}: continual MEM training on the labeled samples of both domains that the
 * TEM job's sample pipeline writes to {@code samples} (committed records only), publishing snapshots and announcing
 * them on {@code model.versions}; metric windows go to {@code metrics}.
 */
public final class MemJob {

    public static final String NAME = "transflow-mem";

    private MemJob() {}

    public static void build(StreamExecutionEnvironment env, String bootstrap, String groupId, Configuration config,
            boolean bounded) {
        FeatureSchema schema = TrainerOptions.featureSchema(config);
        // Samples are impressions plus history, written by a job whose history.length this one may not know: take
        // whatever the sinks can write; nothing the MEM job outputs grows with a sample.
        SingleOutputStreamOperator<LabeledSample> samples = SampleJob.decode(env, bootstrap, groupId, config, bounded,
                Topic.SAMPLES, LabeledSample.class, SinkOptions.maxRequestSize(config), EventTimeWatermarks.none());
        samples.getSideOutput(DeadLetterSplit.DEAD_LETTERS)
                .sinkTo(TopicIo.sink(bootstrap, Topic.DEAD_LETTERS, DeadLetter::getSourceTopic, config, groupId))
                .name("dead letters sink").uid("dead-letters-sink");
        SingleOutputStreamOperator<ModelVersion> versions = samples
                .process(new MemTrainer(schema, config)).returns(TypeInformation.of(ModelVersion.class))
                .setParallelism(1).setMaxParallelism(1).name("MEM trainer").uid(MemTrainer.UID);
        versions.sinkTo(TopicIo.sink(bootstrap, Topic.MODEL_VERSIONS, v -> v.getModelKind().name(), config, groupId))
                .setParallelism(1).name("model versions sink").uid("model-versions-sink");
        versions.getSideOutput(MemTrainer.METRICS)
                .sinkTo(TopicIo.sink(bootstrap, Topic.METRICS, TrainingMetrics::getJob, config, groupId))
                .setParallelism(1).name("metrics sink").uid("metrics-sink");
    }
}

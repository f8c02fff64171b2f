package dev.transflow.schemas.codec;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.ClickedItem;
import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.ModelKind;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.schemas.PostFeatures;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.Prediction;
import dev.transflow.schemas.ProductFeatures;
import dev.transflow.schemas.ProductImpression;
import dev.transflow.schemas.SharedFeatures;
import dev.transflow.schemas.TrainingMetrics;
import dev.transflow.schemas.TrainingPosition;
import dev.transflow.schemas.UserProfile;

import org.apache.avro.specific.SpecificRecord;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/** One fully populated instance of every event type, so round trips exercise every field. */
final class SampleEvents {

    private SampleEvents() {}

    static SpecificRecord of(EventType type) {
        switch (type) {
            case PRODUCT_IMPRESSION: return productImpression();
            case POST_IMPRESSION: return postImpression();
            case CLICK: return click();
            case LABELED_SAMPLE: return labeledSample();
            case MODEL_VERSION: return modelVersion();
            case PREDICTION: return prediction();
            case TRAINING_METRICS: return trainingMetrics();
            case DEAD_LETTER: return deadLetter();
            default: throw new AssertionError("no sample for " + type);
        }
    }

    static FeatureValues extra(String key) {
        return FeatureValues.newBuilder()
                .setCategorical(Map.of(key, "v-" + key))
                .setNumeric(Map.of(key + "_score", 0.25))
                .build();
    }

    static UserProfile user() {
        return UserProfile.newBuilder().setAgeBucket(3).setGender("f").setCity("c17").setExtra(extra("device")).build();
    }

    static SharedFeatures shared() {
        return SharedFeatures.newBuilder().setCategory("cat-4").setCreatorId("creator-9").setExtra(extra("region")).build();
    }

    static ProductImpression productImpression() {
        return ProductImpression.newBuilder()
                .setImpressionId("imp-p-1").setEventTime(1_700_000_000_000L).setUserId("u-1").setItemId("p-42")
                .setPosition(2).setUser(user()).setShared(shared())
                .setSpecific(ProductFeatures.newBuilder().setPrice(19.5).setCondition("used").setBrand("b-3")
                        .setExtra(extra("warranty")).build())
                .build();
    }

    static PostImpression postImpression() {
        return PostImpression.newBuilder()
                .setImpressionId("imp-t-1").setEventTime(1_700_000_000_500L).setUserId("u-1").setItemId("t-7")
                .setPosition(null).setUser(user()).setShared(shared())
                .setSpecific(PostFeatures.newBuilder().setContentStyle("review").setMediaType("video")
                        .setTextLength(280).setExtra(extra("language")).build())
                .build();
    }

    static Click click() {
        return Click.newBuilder().setImpressionId("imp-t-1").setUserId("u-1").setItemId("t-7")
                .setEntityType(EntityType.POST).setEventTime(1_700_000_004_000L).build();
    }

    static LabeledSample labeledSample() {
        return LabeledSample.newBuilder()
                .setImpressionId("imp-t-1").setDomain(Domain.TARGET).setEntityType(EntityType.POST)
                .setUserId("u-1").setItemId("t-7").setPosition(0)
                .setUser(extra("age_bucket")).setShared(extra("category")).setSpecific(extra("content_style"))
                .setClickedProducts(List.of(new ClickedItem("p-1", "cat-4", 1_699_999_990_000L)))
                .setClickedPosts(List.of(new ClickedItem("t-2", null, 1_699_999_980_000L)))
                .setLabel(1).setImpressionTime(1_700_000_000_500L).setLabelTime(1_700_000_004_000L)
                .build();
    }

    static ModelVersion modelVersion() {
        return ModelVersion.newBuilder()
                .setModelKind(ModelKind.MEM).setVersion(12).setUri("file:///tmp/snapshots/mem/12")
                .setManifestSha256("ab".repeat(32)).setFeatureSchemaSha256("cd".repeat(32))
                .setCreatedAt(1_700_000_100_000L)
                .setTrainingPosition(new TrainingPosition(123_456L, Map.of("samples-0", 99L)))
                .setMetrics(Map.of("auc", 0.71, "logloss", 0.21))
                .build();
    }

    static Prediction prediction() {
        return Prediction.newBuilder()
                .setImpressionId("imp-t-1").setDomain(Domain.TARGET).setUserId("u-1").setItemId("t-7")
                .setScore(0.031).setLabel(0).setModelKind(ModelKind.TEM).setModelVersion(5000)
                .setKnowledgeVersion(12L).setKnowledgeVersions(Map.of("MEM", 12L, "TPM", 3L))
                .setImpressionTime(1_700_000_000_500L).setPredictedAt(1_700_000_400_000L)
                .build();
    }

    static TrainingMetrics trainingMetrics() {
        return TrainingMetrics.newBuilder()
                .setJob("tem").setModelKind(ModelKind.TEM).setModelVersion(5000).setDomain(Domain.TARGET)
                .setWindowStart(1_700_000_000_000L).setWindowEnd(1_700_000_060_000L)
                .setAuc(0.74).setGauc(null).setLogLoss(0.09).setSamples(10_000).setPositives(180)
                .build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setSourceTopic("posts.impressions").setPartition(1).setOffset(77).setRecordTimestamp(1_700_000_000_000L)
                .setKey(ByteBuffer.wrap(new byte[] {1, 2})).setValue(ByteBuffer.wrap(new byte[] {(byte) 0xC3, 0x01, 9}))
                .setReasonCode("CORRUPT_PAYLOAD").setReason("truncated").setStage("decode")
                .setFailedAt(1_700_000_000_100L)
                .setValueSize(70_000).setValueTruncated(true).setKeyTruncated(false)
                .build();
    }
}

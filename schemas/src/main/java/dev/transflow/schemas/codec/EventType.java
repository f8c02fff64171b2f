package dev.transflow.schemas.codec;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.Prediction;
import dev.transflow.schemas.ProductImpression;
import dev.transflow.schemas.TrainingMetrics;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every record type Transflow puts on Kafka, with the number of schema versions released so far.
 *
 * <p>Released versions live in {@code schemas/src/main/resources/dev/transflow/schemas/history/<Name>/v<N>.avsc}.
 * When a schema changes, its new form is added there as the next version and {@link #releasedVersions} is
 * raised by one; {@code SchemaEvolutionTest} fails until both are done and the change is compatible.
 */
public enum EventType {
    PRODUCT_IMPRESSION(ProductImpression.class, ProductImpression.getClassSchema(), 1),
    POST_IMPRESSION(PostImpression.class, PostImpression.getClassSchema(), 1),
    CLICK(Click.class, Click.getClassSchema(), 1),
    LABELED_SAMPLE(LabeledSample.class, LabeledSample.getClassSchema(), 1),
    MODEL_VERSION(ModelVersion.class, ModelVersion.getClassSchema(), 1),
    PREDICTION(Prediction.class, Prediction.getClassSchema(), 3),
    TRAINING_METRICS(TrainingMetrics.class, TrainingMetrics.getClassSchema(), 1),
    DEAD_LETTER(DeadLetter.class, DeadLetter.getClassSchema(), 2);

    private final Class<? extends SpecificRecord> recordClass;
    private final Schema schema;
    private final int releasedVersions;

    EventType(Class<? extends SpecificRecord> recordClass, Schema schema, int releasedVersions) {
        this.recordClass = recordClass;
        this.schema = schema;
        this.releasedVersions = releasedVersions;
    }

    public Class<? extends SpecificRecord> recordClass() {
        return recordClass;
    }

    /** The schema this build writes, and reads every released version into. */
    public Schema schema() {
        return schema;
    }

    public int releasedVersions() {
        return releasedVersions;
    }

    /** Simple record name, e.g. {@code ProductImpression}. */
    public String recordName() {
        return schema.getName();
    }

    public static EventType of(Class<? extends SpecificRecord> recordClass) {
        for (EventType type : values()) {
            if (type.recordClass.equals(recordClass)) {
                return type;
            }
        }
        throw new IllegalArgumentException(
                recordClass.getName() + " is not a Transflow event type; known types: " + java.util.Arrays.toString(values()));
    }
}

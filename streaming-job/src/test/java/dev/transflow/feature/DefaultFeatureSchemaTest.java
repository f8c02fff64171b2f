package dev.transflow.feature;

import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.simulate.World;
import dev.transflow.train.TrainerOptions;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The built-in feature schema: a resource now, and the same schema the simulated world used to produce. */
class DefaultFeatureSchemaTest {

    /** What the trainers' default was before it became a resource. */
    private static final FeatureSchema FROM_THE_WORLD = FeatureSchema.infer(World.SOURCE_LAYOUT, World.TARGET_LAYOUT,
            1 << 16, 1_000);

    @Test
    void theResourceHoldsTheSchemaTheSimulatedWorldProduces() {
        FeatureSchema schema = DefaultFeatureSchema.load();

        assertThat(schema.json()).isEqualTo(FROM_THE_WORLD.json());
        // The digest is what snapshot manifests record: snapshots published before still load.
        assertThat(schema.sha256()).isEqualTo(FROM_THE_WORLD.sha256());
    }

    @Test
    void trainersUseItWhenNoSchemaFileIsConfigured() {
        assertThat(TrainerOptions.featureSchema(new Configuration()).sha256()).isEqualTo(FROM_THE_WORLD.sha256());
    }

    @Test
    void everyTypedFeatureNameIsInIt() {
        FeatureSchema schema = DefaultFeatureSchema.load();
        for (String name : new String[] {FeatureNames.AGE_BUCKET, FeatureNames.GENDER, FeatureNames.CITY,
                FeatureNames.CATEGORY, FeatureNames.CREATOR_ID, FeatureNames.POSITION, FeatureNames.PRICE,
                FeatureNames.CONDITION, FeatureNames.BRAND, FeatureNames.CONTENT_STYLE, FeatureNames.MEDIA_TYPE,
                FeatureNames.TEXT_LENGTH}) {
            assertThat(schema.feature(name).name()).isEqualTo(name);
        }
    }
}

package dev.transflow.feature;

import dev.transflow.model.feature.FeatureSchema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The feature schema jobs use when {@code trainer.feature-schema} names none: the features of
 * {@link FeatureNames} with hashed vocabularies (65,536 buckets for user and item ids, 1,000 for the others), read
 * from the JSON resource {@value #RESOURCE}, a file of the form {@code trainer.feature-schema} takes. The simulated
 * world produces these features.
 */
public final class DefaultFeatureSchema {

    /** Where the schema lies on the class path. */
    public static final String RESOURCE = "/dev/transflow/feature/default-schema.json";

    private DefaultFeatureSchema() {}

    public static FeatureSchema load() {
        try (InputStream in = DefaultFeatureSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("The default feature schema " + RESOURCE + " is missing from the "
                        + "class path; the jar is incomplete");
            }
            return FeatureSchema.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the default feature schema " + RESOURCE, e);
        }
    }
}

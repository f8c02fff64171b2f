package dev.transflow.model.feature;

/** A feature schema that cannot be used; the message names the schema's origin, the feature and the fix. */
public final class FeatureSchemaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public FeatureSchemaException(String origin, String feature, String problem) {
        super(origin + ": feature " + feature + " " + problem);
    }

    public FeatureSchemaException(String message) {
        super(message);
    }
}

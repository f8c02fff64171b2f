package dev.transflow.join;

import dev.transflow.replay.ImpressionMapping;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.codec.PendingSampleEncoding;

/**
 * An impression on its way to the sample join: its sample's own fields already encoded
 * ({@link PendingSampleEncoding#impression}), with the few fields the join reads beside them. Encoding where the
 * impression is decoded means the join appends history and label to bytes and never decodes the impression. A
 * Flink POJO.
 */
public final class EncodedImpression {

    public String userId;
    public String impressionId;
    public Domain domain;
    public long impressionTime;
    /** Category of the impressed item, for the history entries of its clicks; null when the event has none. */
    public String category;
    /** The sample's fields before the click sequences, single-object header included. */
    public byte[] bytes;

    public EncodedImpression() {}

    /** Encodes the unlabeled {@code sample} (clearing its sequences and label fields). */
    public static EncodedImpression of(LabeledSample sample, PendingSampleEncoding encoding) {
        EncodedImpression e = new EncodedImpression();
        e.userId = sample.getUserId();
        e.impressionId = sample.getImpressionId();
        e.domain = sample.getDomain();
        e.impressionTime = sample.getImpressionTime();
        e.category = sample.getShared().getCategorical().get(ImpressionMapping.CATEGORY);
        e.bytes = encoding.impression(sample);
        return e;
    }
}

package dev.transflow.join;

import dev.transflow.schemas.Domain;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.schemas.codec.EventDecodeException;

/**
 * A labeled sample as the sample join emits it: already in its {@code samples} topic encoding (Avro single
 * object), with the two fields routing needs beside it. The samples sink writes the bytes as they are, and only the
 * trainer decodes them, so the sample is encoded once and crosses the network as a byte array. A Flink POJO.
 */
public final class EncodedSample {

    /** The Kafka key of the sample, and the key of the join it came from. */
    public String userId;
    public Domain domain;
    /** {@link LabeledSample} in single-object encoding. */
    public byte[] bytes;

    public EncodedSample() {}

    public EncodedSample(String userId, Domain domain, byte[] bytes) {
        this.userId = userId;
        this.domain = domain;
        this.bytes = bytes;
    }

    /** Encodes {@code sample} (tests, and sources of samples other than the join). */
    public static EncodedSample of(LabeledSample sample, EventCodec<LabeledSample> codec) {
        return new EncodedSample(sample.getUserId(), sample.getDomain(), codec.encode(sample));
    }

    /** The sample; the bytes come from this job's own encoder, so a failure here is a bug, not bad input. */
    public LabeledSample decode(EventCodec<LabeledSample> codec) {
        try {
            return codec.decode(bytes);
        } catch (EventDecodeException e) {
            throw new IllegalStateException("A sample encoded by the sample join does not decode: " + e.getMessage(),
                    e);
        }
    }
}

package dev.transflow.source;

import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.PostFeatures;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.SharedFeatures;
import dev.transflow.schemas.UserProfile;
import dev.transflow.topic.SinkOptions;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SourceOptionsTest {

    private static final int ONE_MIB = 1024 * 1024;

    private static Configuration config(String... keyValues) {
        Configuration config = new Configuration();
        for (int i = 0; i < keyValues.length; i += 2) {
            config.setString(keyValues[i], keyValues[i + 1]);
        }
        return config;
    }

    @Test
    void defaultsFitKafkasDefaultRequestSize() {
        Configuration defaults = new Configuration();

        assertThat(SinkOptions.maxRequestSize(defaults)).isEqualTo(ONE_MIB);
        assertThat(SourceOptions.maxRecordSize(defaults)).isEqualTo(512 * 1024);
        assertThat(SourceOptions.maxDeadLetterPayload(defaults)).isEqualTo(64 * 1024);
        assertThat(DeadLetters.maxRecordSize(64 * 1024)).isLessThan(ONE_MIB);
    }

    @Test
    void deadLetterPayloadThatCannotFitIsRefusedWithTheLargestThatDoes() {
        int largest = DeadLetters.largestPayload(ONE_MIB);

        assertThatThrownBy(() -> SourceOptions.maxDeadLetterPayload(config("source.max-dead-letter-payload", "600kb")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source.max-dead-letter-payload is 614400 bytes")
                .hasMessageContaining("sink.max-request-size")
                .hasMessageContaining("at most " + largest);
        assertThat(SourceOptions.maxDeadLetterPayload(config("source.max-dead-letter-payload", largest + "b")))
                .isEqualTo(largest);
        assertThat(DeadLetters.maxRecordSize(largest)).isLessThanOrEqualTo(ONE_MIB);
        assertThat(DeadLetters.maxRecordSize(largest + 1)).isGreaterThan(ONE_MIB);
    }

    @Test
    void recordSizeOutsideItsRangeIsRefused() {
        assertThatThrownBy(() -> SourceOptions.maxRecordSize(config("source.max-record-size", "512b")))
                .hasMessageContaining("source.max-record-size is 512 bytes").hasMessageContaining("between 1024");
        assertThatThrownBy(() -> SourceOptions.maxRecordSize(config("source.max-record-size", "1mb")))
                .hasMessageContaining("source.max-record-size is 1048576 bytes")
                .hasMessageContaining("sink.max-request-size");
    }

    @Test
    void aLargerRequestSizeAllowsLargerRecords() {
        Configuration config = config("sink.max-request-size", "8mb", "source.max-record-size", "6mb",
                "source.max-dead-letter-payload", "2mb");

        assertThat(SourceOptions.maxRecordSize(config)).isEqualTo(6 * ONE_MIB);
        assertThat(SourceOptions.maxDeadLetterPayload(config)).isEqualTo(2 * ONE_MIB);
        assertThatThrownBy(() -> SinkOptions.maxRequestSize(config("sink.max-request-size", "4gb")))
                .hasMessageContaining("sink.max-request-size is 4294967296 bytes");
    }

    @Test
    void extraEntryLimitComesFromTheConfiguration() throws Exception {
        EventValidator validator = EventValidator.of(config("source.max-extra-entries", "2"));
        PostImpression post = PostImpression.newBuilder().setImpressionId("i").setEventTime(1L).setUserId("u")
                .setItemId("t")
                .setUser(new UserProfile(null, null, null, new FeatureValues(Map.of("a", "1"), Map.of())))
                .setShared(new SharedFeatures(null, null, new FeatureValues(Map.of(), Map.of("b", 2.0))))
                .setSpecific(new PostFeatures(null, null, null, new FeatureValues(Map.of(), Map.of())))
                .build();
        validator.validate(post, 1L);

        post.getSpecific().setExtra(new FeatureValues(Map.of("c", "3"), Map.of()));
        assertThatThrownBy(() -> validator.validate(post, 1L)).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("3 entries (user 1, shared 1, specific 1); at most 2");
        assertThatThrownBy(() -> EventValidator.of(config("source.max-extra-entries", "-1")))
                .hasMessageContaining("source.max-extra-entries is -1");
    }
}

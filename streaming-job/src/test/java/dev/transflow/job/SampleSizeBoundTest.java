package dev.transflow.job;

import dev.transflow.join.Samples;
import dev.transflow.schemas.ClickedItem;
import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.PostFeatures;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.SharedFeatures;
import dev.transflow.schemas.UserProfile;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.schemas.codec.PendingSampleEncoding;
import dev.transflow.source.SourceOptions;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SampleSizeBoundTest {

    @Test
    void largestSampleOfAcceptedInputStaysWithinTheBound() {
        Configuration config = new Configuration();
        config.setString("source.max-record-size", "4kb");
        config.setString("source.max-id-length", "16");
        config.setString("history.length", "3");
        int maxRecord = SourceOptions.maxRecordSize(config);
        // U+FFFF takes 3 bytes in UTF-8, the most per Java char; every optional field is set.
        String id = "\uffff".repeat(16);
        Map<String, String> extra = new HashMap<>();
        PostImpression post = PostImpression.newBuilder().setImpressionId(id).setEventTime(Long.MIN_VALUE)
                .setUserId(id).setItemId(id).setPosition(Integer.MIN_VALUE)
                .setUser(new UserProfile(Integer.MIN_VALUE, "g", "c", new FeatureValues(Map.of(), Map.of())))
                .setShared(new SharedFeatures(id, "creator", new FeatureValues(Map.of(), Map.of())))
                .setSpecific(new PostFeatures("style", "media", Integer.MIN_VALUE, new FeatureValues(extra,
                        Map.of())))
                .build();
        EventCodec<PostImpression> codec = EventCodec.of(PostImpression.class);
        // Fill the record up to the limit with one-character entries: the most entries per byte.
        for (int i = 0; codec.encode(post).length <= maxRecord; i++) {
            extra.put(Integer.toString(i), "v");
        }
        extra.remove(Integer.toString(extra.size() - 1));
        assertThat(codec.encode(post).length).isBetween(maxRecord - 16, maxRecord);

        PendingSampleEncoding encoding = new PendingSampleEncoding();
        byte[] impression = encoding.impression(Samples.of(post));
        List<ClickedItem> history = new ArrayList<>(Collections.nCopies(3, new ClickedItem(id, id, Long.MIN_VALUE)));
        byte[] sample = PendingSampleEncoding.labeled(encoding.withHistory(impression, history, history),
                Integer.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE);

        assertThat(sample.length).isLessThanOrEqualTo(SampleJob.maxSampleSize(config));
    }

    @Test
    void defaultSamplesFitKafkasDefaultRequestSize() {
        assertThat(SampleJob.maxSampleSize(new Configuration())).isBetween(512 * 1024, 1024 * 1024 - 2048);
    }

    @Test
    void sampleThatCannotFitIsRefusedNamingWhatToChange() {
        // The record fits on its own, but not with ten clicked products and posts of 256-character ids.
        Configuration config = new Configuration();
        config.setString("source.max-record-size", "1000kb");
        assertThat(SourceOptions.maxRecordSize(config)).isEqualTo(1000 * 1024);

        assertThatThrownBy(() -> SampleJob.maxSampleSize(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source.max-record-size 1024000")
                .hasMessageContaining("history.length 10")
                .hasMessageContaining("does not fit transflow.sink.max-request-size (1048576 bytes)");
        config.setString("history.length", "2");
        assertThat(SampleJob.maxSampleSize(config)).isLessThan(1024 * 1024);
        config.setString("sink.max-request-size", "8mb");
        config.setString("source.max-record-size", "6mb");
        config.setString("history.length", "10");
        assertThat(SampleJob.maxSampleSize(config)).isBetween(6 * 1024 * 1024, 8 * 1024 * 1024);
    }
}

package dev.transflow.history;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.ClickedItem;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.join.Samples;
import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.PostFeatures;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.SharedFeatures;
import dev.transflow.schemas.UserProfile;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class UserHistoryFunctionTest {

    private static LabeledSample impression(String user, String item, String category, long time) {
        FeatureValues none = new FeatureValues(Map.of(), Map.of());
        return Samples.of(PostImpression.newBuilder().setImpressionId(item + "@" + time).setEventTime(time)
                .setUserId(user).setItemId(item).setUser(new UserProfile(null, null, null, none))
                .setShared(new SharedFeatures(category, null, none))
                .setSpecific(new PostFeatures(null, null, null, none)).build());
    }

    @Test
    void impressionsSeeOnlyEarlierClicksNewestFirstPerEntityType() throws Exception {
        try (KeyedTwoInputStreamOperatorTestHarness<String, LabeledSample, Click, LabeledSample> harness =
                ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(new UserHistoryFunction(2, Duration.ofDays(1)),
                        LabeledSample::getUserId, Click::getUserId, Types.STRING)) {
            harness.processElement1(impression("u1", "t1", "c7", 5), 5);
            harness.processElement2(new Click("x", "u1", "p1", EntityType.PRODUCT, 10L), 10);
            harness.processElement2(new Click("x", "u1", "t1", EntityType.POST, 20L), 20);
            harness.processElement2(new Click("x", "u1", "p2", EntityType.PRODUCT, 30L), 30);
            harness.processElement2(new Click("x", "u1", "p3", EntityType.PRODUCT, 40L), 40);
            // Processed before a later-timed click arrived, and after: only time decides.
            harness.processElement2(new Click("x", "u1", "p9", EntityType.PRODUCT, 100L), 100);
            harness.processElement1(impression("u1", "t2", "c8", 35), 35);
            harness.processElement1(impression("u2", "t3", "c8", 50), 50);

            List<LabeledSample> out = harness.extractOutputValues();
            assertThat(out).hasSize(3);
            assertThat(out.get(0).getClickedProducts()).isEmpty();
            LabeledSample second = out.get(1);
            assertThat(second.getClickedProducts()).extracting(ClickedItem::getItemId).containsExactly("p2", "p1");
            assertThat(second.getClickedPosts()).singleElement().satisfies(i -> {
                assertThat(i.getItemId()).isEqualTo("t1");
                assertThat(i.getCategory()).as("category of the impression it came from").isEqualTo("c7");
                assertThat(i.getClickTime()).isEqualTo(20);
            });
            assertThat(out.get(2).getClickedProducts()).as("another user").isEmpty();
        }
    }
}

package dev.transflow.model.feature;

import dev.transflow.model.TinyWorld;
import dev.transflow.schemas.ClickedItem;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.LabeledSample;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SampleEncoderTest {

    private static InteractionRow product(long t, String user, String item, int label) {
        return new InteractionRow(TinyWorld.SOURCE, t, user, item, label, new String[] {"a1", "c1", "b1"},
                new double[] {9}, 0);
    }

    private static InteractionRow post(long t, String user, String item, int label, String style) {
        return new InteractionRow(TinyWorld.TARGET, t, user, item, label, new String[] {"a1", "c1", style},
                new double[0], 0);
    }

    @Test
    void sequencesHoldOnlyEarlierClicksNewestFirst() {
        SampleEncoder encoder = new SampleEncoder(TinyWorld.schema().withSequenceAttributes(List.of("category")));
        List<InteractionRow> source = List.of(product(10, "u1", "p1", 1), product(30, "u1", "p2", 1),
                product(50, "u2", "p3", 1));
        List<InteractionRow> target = List.of(post(5, "u1", "t0", 0, "good"), post(20, "u1", "t1", 1, "good"),
                post(40, "u1", "t2", 0, null));

        Map<Domain, EncodedSamples> encoded = encoder.encode(source, target);

        EncodedSamples t = encoded.get(Domain.TARGET);
        EncodedSamples s = encoded.get(Domain.SOURCE);
        DomainLayout layout = t.layout;
        int width = layout.sequenceWidth();
        assertThat(layout.sequenceAttributes()).isEqualTo(2); // item id and category
        assertThat(t.productSequenceLength).containsExactly(0, 1, 2);
        assertThat(t.postSequenceLength).containsExactly(0, 0, 1);
        assertThat(t.productSequence[2 * width]).isEqualTo(layout.itemRow("p2"));
        assertThat(t.productSequence[2 * width + 2]).isEqualTo(layout.itemRow("p1"));
        assertThat(t.postSequence[2 * width]).isEqualTo(layout.itemRow("t1"));
        // Each element carries the clicked item's category row, as the clicked row itself encoded it.
        int category = s.layout.sequenceAttributePositions()[1];
        assertThat(t.productSequence[2 * width + 1])
                .isEqualTo(s.categorical[1 * s.layout.categoricalWidth() + category]);
        assertThat(t.postSequence[2 * width + 1])
                .isEqualTo(t.categorical[1 * layout.categoricalWidth() + layout.sequenceAttributePositions()[1]]);
        // Without sequence attributes in the schema an element is its item id alone.
        EncodedSamples plain = new SampleEncoder(TinyWorld.schema()).encode(source, target).get(Domain.TARGET);
        assertThat(plain.layout.sequenceAttributes()).isEqualTo(1);
        assertThat(plain.productSequence[2 * plain.layout.sequenceWidth() + 1]).isEqualTo(layout.itemRow("p1"));
        // A source row sees target clicks too; u2 has no history.
        assertThat(s.postSequenceLength).containsExactly(0, 1, 0);
        assertThat(t.labels).containsExactly(0f, 1f, 0f);
        assertThat(t.userId(2)).isEqualTo("u1");
        assertThat(s.userId(2)).isEqualTo("u2");
    }

    @Test
    void streamedSequencesCarryTheClickedItemsCategoryLikeOfflineRows() {
        SampleEncoder encoder = new SampleEncoder(TinyWorld.schema().withSequenceAttributes(List.of("category")));
        EncodedSamples offline = encoder.encode(List.of(product(10, "u1", "p1", 1)),
                List.of(post(20, "u1", "t1", 0, "good"))).get(Domain.TARGET);
        FeatureValues none = new FeatureValues(Map.of(), Map.of());
        LabeledSample streamed = LabeledSample.newBuilder().setImpressionId("i").setDomain(Domain.TARGET)
                .setEntityType(EntityType.POST).setUserId("u1").setItemId("t1").setUser(none).setShared(none)
                .setSpecific(none).setClickedProducts(List.of(new ClickedItem("p1", "c1", 10L),
                        new ClickedItem("p0", null, 5L)))
                .setLabel(0).setImpressionTime(20L).setLabelTime(30L).build();

        EncodedSamples online = encoder.encode(Domain.TARGET, List.of(streamed), new java.util.HashMap<>());

        DomainLayout layout = online.layout;
        assertThat(online.productSequenceLength[0]).isEqualTo(2);
        assertThat(online.productSequence[0]).isEqualTo(offline.productSequence[0]).isEqualTo(layout.itemRow("p1"));
        assertThat(online.productSequence[1]).isEqualTo(offline.productSequence[1]);
        assertThat(online.productSequence[2]).isEqualTo(layout.itemRow("p0"));
        // An element without a category gets the category's missing bucket, which the candidate's missing value
        // shares.
        int category = layout.sequenceAttributePositions()[1];
        assertThat(online.productSequence[3]).isEqualTo(online.categorical[category])
                .isNotEqualTo(online.productSequence[1]);
    }

    @Test
    void hashingIsStableAndMissingValuesHaveTheirOwnBucket() {
        SampleEncoder encoder = new SampleEncoder(TinyWorld.schema());
        Map<Domain, EncodedSamples> a = encoder.encode(List.of(), List.of(post(1, "u1", "t1", 0, "good"),
                post(2, "u1", "t1", 0, null)));
        Map<Domain, EncodedSamples> b = new SampleEncoder(TinyWorld.schema()).encode(List.of(),
                List.of(post(1, "u1", "t1", 0, "good")));

        EncodedSamples t = a.get(Domain.TARGET);
        int width = t.layout.categoricalWidth();
        assertThat(java.util.Arrays.copyOfRange(t.categorical, 0, width))
                .containsExactly(java.util.Arrays.copyOfRange(b.get(Domain.TARGET).categorical, 0, width));
        int style = width - 1;
        assertThat(t.categorical[width + style]).isNotEqualTo(t.categorical[style]);
        // Every index lies in its feature's range of the shared table.
        for (int f = 0; f < width; f++) {
            int offset = t.layout.offset(f);
            assertThat(t.categorical[f]).isBetween(offset, offset + t.layout.categorical().get(f).vocabulary() - 1);
        }
    }

    @Test
    void numericValuesAreTransformedAndMissingOnesStayMissing() {
        SampleEncoder encoder = new SampleEncoder(TinyWorld.schema());
        InteractionRow missing = new InteractionRow(TinyWorld.SOURCE, 2, "u", "p", 0, new String[] {"a", "c", "b"},
                new double[] {Double.NaN}, 0);

        EncodedSamples s = encoder.encode(List.of(product(1, "u", "p", 0), missing), List.of()).get(Domain.SOURCE);

        assertThat(s.numeric[0]).isEqualTo((float) Math.log1p(9));
        // Missing is NaN, not 0: models standardize values and give "missing" a weight of its own.
        assertThat(s.numeric[1]).isNaN();
    }

    @Test
    void aFiniteValueBeyondTheFloatRangeIsMissingNotInfinite() {
        FeatureSchema schema = FeatureSchema.parse("""
                {"embedding_dim": 4, "sequence_length": 2, "features": [
                  {"name": "user_id", "group": "user", "vocabulary": 64},
                  {"name": "item_id", "group": "shared", "vocabulary": 64},
                  {"name": "price", "group": "specific", "domain": "source", "type": "numeric", "transform": "none"}]}
                """, "test");
        List<InteractionRow> rows = new ArrayList<>();
        for (double price : new double[] {1e300, -1e300, 3e38, Float.MAX_VALUE}) {
            rows.add(new InteractionRow(TinyWorld.SOURCE, rows.size(), "u", "p", 0, new String[] {"a", "c", "b"},
                    new double[] {price}, 0));
        }

        EncodedSamples s = new SampleEncoder(schema).encode(rows, List.of()).get(Domain.SOURCE);

        assertThat(s.numeric[0]).as("1e300").isNaN();
        assertThat(s.numeric[1]).as("-1e300").isNaN();
        assertThat(s.numeric[2]).isEqualTo(3e38f);
        assertThat(s.numeric[3]).isEqualTo(Float.MAX_VALUE);
    }
}

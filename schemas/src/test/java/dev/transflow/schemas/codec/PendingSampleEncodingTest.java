package dev.transflow.schemas.codec;

import dev.transflow.schemas.ClickedItem;
import dev.transflow.schemas.LabeledSample;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PendingSampleEncodingTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0, 0, 0",
        "1, 1795454164042, 1795454164999, 1",
        "0, 1, 63, 2",
        "1, 64, 9223372036854775807, 3",
        "0, -1, -9223372036854775808, 0",
    })
    void theThreePartsAreTheEncodingOfTheLabeledSample(int label, long impressionTime, long labelTime, int clicks)
            throws Exception {
        EventCodec<LabeledSample> codec = EventCodec.of(LabeledSample.class);
        LabeledSample sample = SampleEvents.labeledSample();
        sample.setImpressionTime(impressionTime);
        List<ClickedItem> products = new ArrayList<>();
        List<ClickedItem> posts = new ArrayList<>();
        for (int i = 0; i < clicks; i++) {
            products.add(new ClickedItem("p" + i, i % 2 == 0 ? null : "c" + i, 1_000L * i));
            posts.add(new ClickedItem("t" + i, "c" + i, -5L * i));
        }
        posts.add(new ClickedItem("t-last", null, 7L));

        PendingSampleEncoding encoding = new PendingSampleEncoding();
        byte[] impression = encoding.impression(LabeledSample.newBuilder(sample).build());
        byte[] pending = encoding.withHistory(impression, products, posts);
        byte[] bytes = PendingSampleEncoding.labeled(pending, label, impressionTime, labelTime);

        sample.setClickedProducts(products);
        sample.setClickedPosts(posts);
        sample.setLabel(label);
        sample.setLabelTime(labelTime);
        assertThat(bytes).isEqualTo(codec.encode(sample));
        assertThat(codec.decode(bytes)).isEqualTo(sample);
    }

    @Test
    void aSchemaWithAFieldAfterTheLabelIsRefused() {
        Schema moved = SchemaBuilder.record("LabeledSample").fields()
                .requiredString("impressionId")
                .name("clickedProducts").type().array().items().stringType().noDefault()
                .name("clickedPosts").type().array().items().stringType().noDefault()
                .requiredInt("label").requiredLong("impressionTime")
                .requiredLong("labelTime").optionalString("added").endRecord();
        assertThatThrownBy(() -> PendingSampleEncoding.checkLayout(moved))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("keep new fields before them");
        Schema retyped = SchemaBuilder.record("LabeledSample").fields()
                .name("clickedProducts").type().array().items().stringType().noDefault()
                .name("clickedPosts").type().array().items().stringType().noDefault()
                .requiredLong("label").requiredLong("impressionTime").requiredLong("labelTime").endRecord();
        assertThatThrownBy(() -> PendingSampleEncoding.checkLayout(retyped))
                .isInstanceOf(IllegalStateException.class);
        PendingSampleEncoding.checkLayout(LabeledSample.getClassSchema());
    }

    @Test
    void aClickedItemSchemaTheItemWriterDoesNotKnowIsRefused() {
        PendingSampleEncoding.checkItemLayout(ClickedItem.getClassSchema());
        Schema extended = SchemaBuilder.record("ClickedItem").fields()
                .requiredString("itemId").optionalString("category").requiredLong("clickTime")
                .optionalString("added").endRecord();
        assertThatThrownBy(() -> PendingSampleEncoding.checkItemLayout(extended))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("update it with the schema");
        Schema required = SchemaBuilder.record("ClickedItem").fields()
                .requiredString("itemId").requiredString("category").requiredLong("clickTime").endRecord();
        assertThatThrownBy(() -> PendingSampleEncoding.checkItemLayout(required))
                .isInstanceOf(IllegalStateException.class);
    }
}

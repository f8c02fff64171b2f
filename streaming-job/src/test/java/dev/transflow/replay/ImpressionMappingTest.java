package dev.transflow.replay;

import dev.transflow.model.feature.CsvFormatException;
import dev.transflow.model.feature.CsvLayout;
import dev.transflow.model.feature.CsvLayout.FeatureColumn;
import dev.transflow.model.feature.FeatureGroup;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.ProductImpression;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImpressionMappingTest {

    private static FeatureColumn cat(FeatureGroup group, String name) {
        return new FeatureColumn(group, name, false, -1);
    }

    private static FeatureColumn num(FeatureGroup group, String name) {
        return new FeatureColumn(group, name, true, -1);
    }

    @Test
    void wellKnownColumnsFillTypedFieldsAndTheRestGoesToExtra() {
        CsvLayout layout = CsvLayout.of(List.of(cat(FeatureGroup.USER, "age_bucket"), cat(FeatureGroup.USER, "gender"),
                cat(FeatureGroup.USER, "device"), cat(FeatureGroup.SHARED, "category"),
                cat(FeatureGroup.SHARED, "position"), cat(FeatureGroup.SPECIFIC, "brand"),
                num(FeatureGroup.SPECIFIC, "price"), num(FeatureGroup.SPECIFIC, "rating"),
                num(FeatureGroup.USER, "tenure")));
        InteractionRow row = new InteractionRow(layout, 77, "u1", "p9", 1,
                new String[] {"3", "f", "ios", "c4", "2", "b7"}, new double[] {19.5, 4.5, Double.NaN}, 12);

        ProductImpression p = (ProductImpression) ImpressionMapping.impression(EntityType.PRODUCT, row, "id-1", "f.csv");

        assertThat(p.getImpressionId()).isEqualTo("id-1");
        assertThat(p.getEventTime()).isEqualTo(77);
        assertThat(p.getPosition()).isEqualTo(2);
        assertThat(p.getUser().getAgeBucket()).isEqualTo(3);
        assertThat(p.getUser().getGender()).isEqualTo("f");
        assertThat(p.getUser().getCity()).isNull();
        assertThat(p.getUser().getExtra().getCategorical()).isEqualTo(Map.of("device", "ios"));
        assertThat(p.getUser().getExtra().getNumeric()).as("missing numeric value is left out").isEmpty();
        assertThat(p.getShared().getCategory()).isEqualTo("c4");
        assertThat(p.getShared().getExtra().getCategorical()).isEmpty();
        assertThat(p.getSpecific().getPrice()).isEqualTo(19.5);
        assertThat(p.getSpecific().getBrand()).isEqualTo("b7");
        assertThat(p.getSpecific().getExtra().getNumeric()).isEqualTo(Map.of("rating", 4.5));
    }

    @Test
    void postFieldsAndInvalidValuesNameTheLine() {
        CsvLayout layout = CsvLayout.of(List.of(cat(FeatureGroup.SPECIFIC, "media_type"),
                num(FeatureGroup.SPECIFIC, "text_length"), cat(FeatureGroup.USER, "age_bucket")));
        InteractionRow ok = new InteractionRow(layout, 1, "u", "t", 0, new String[] {"video", "2"},
                new double[] {140}, 3);
        PostImpression post = (PostImpression) ImpressionMapping.impression(EntityType.POST, ok, "x", "t.csv");
        assertThat(post.getSpecific().getMediaType()).isEqualTo("video");
        assertThat(post.getSpecific().getTextLength()).isEqualTo(140);

        InteractionRow fractional = new InteractionRow(layout, 1, "u", "t", 0, new String[] {"video", "2"},
                new double[] {1.5}, 4);
        assertThatThrownBy(() -> ImpressionMapping.impression(EntityType.POST, fractional, "x", "t.csv"))
                .isInstanceOf(CsvFormatException.class).hasMessageStartingWith("t.csv:4:")
                .hasMessageContaining("text_length");
        InteractionRow badAge = new InteractionRow(layout, 1, "u", "t", 0, new String[] {"video", "old"},
                new double[] {1}, 5);
        assertThatThrownBy(() -> ImpressionMapping.impression(EntityType.POST, badAge, "x", "t.csv"))
                .hasMessageStartingWith("t.csv:5:").hasMessageContaining("user.age_bucket must be an integer");
    }
}

package dev.transflow.model.feature;

import dev.transflow.model.TinyWorld;
import dev.transflow.schemas.Domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeatureSchemaTest {

    private static final String VALID = "{\"embedding_dim\": 4, \"sequence_length\": 5, \"features\": ["
            + "{\"name\": \"user_id\", \"group\": \"user\", \"vocabulary\": 1000},"
            + "{\"name\": \"item_id\", \"group\": \"shared\", \"vocabulary\": 1000},"
            + "{\"name\": \"category\", \"group\": \"shared\", \"vocabulary\": 50},"
            + "{\"name\": \"price\", \"group\": \"specific\", \"domain\": \"source\", \"type\": \"numeric\","
            + " \"transform\": \"log1p\"},"
            + "{\"name\": \"style\", \"group\": \"specific\", \"domain\": \"target\", \"vocabulary\": 8}]}";

    @Test
    void loadsAFileAndSelectsByDomainAndGroup(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("schema.json"), VALID);

        FeatureSchema schema = FeatureSchema.load(file);

        assertThat(schema.embeddingDim()).isEqualTo(4);
        assertThat(schema.sequenceLength()).isEqualTo(5);
        assertThat(schema.totalVocabulary()).isEqualTo(2058);
        assertThat(schema.select(Domain.SOURCE, FeatureGroup.SPECIFIC, FeatureSchema.Kind.NUMERIC))
                .extracting(FeatureSchema.Feature::name).containsExactly("price");
        assertThat(schema.select(Domain.TARGET, FeatureGroup.SPECIFIC, FeatureSchema.Kind.NUMERIC)).isEmpty();
        assertThat(schema.offset(schema.feature("category"))).isEqualTo(2000);
        assertThat(schema.feature("price").transform().apply(Math.E - 1)).isEqualTo(1.0, org.assertj.core.api.Assertions.within(1e-12));
        // The digest depends on content, not on formatting.
        assertThat(FeatureSchema.parse(VALID.replace(" ", ""), "x").sha256()).isEqualTo(schema.sha256());
        assertThat(FeatureSchema.parse(schema.json(), "round trip").json()).isEqualTo(schema.json());
    }

    @Test
    void errorsNameTheOriginTheFeatureAndTheFix() {
        assertThatThrownBy(() -> FeatureSchema.parse(VALID.replace("\"group\": \"shared\", \"vocabulary\": 50",
                "\"group\": \"item\", \"vocabulary\": 50"), "schema.json"))
                .isInstanceOf(FeatureSchemaException.class)
                .hasMessage("schema.json: feature category has group \"item\"; use user, shared or specific");
        assertThatThrownBy(() -> FeatureSchema.parse(VALID.replace("\"type\": \"numeric\"", "\"type\": \"float\""), "s"))
                .hasMessageContaining("feature price has type \"float\"; use categorical or numeric");
        assertThatThrownBy(() -> FeatureSchema.parse(VALID.replace("\"vocabulary\": 8", "\"vocabulary\": 8, \"size\": 2"), "s"))
                .hasMessageContaining("feature style has unknown setting \"size\"");
        assertThatThrownBy(() -> FeatureSchema.parse(VALID.replace(", \"domain\": \"target\"", ""), "s"))
                .hasMessageContaining("feature style is entity-specific, so it needs a \"domain\"");
        assertThatThrownBy(() -> FeatureSchema.parse(VALID.replace("\"name\": \"user_id\"", "\"name\": \"uid\""), "s"))
                .hasMessageContaining("feature user_id is required");
        assertThatThrownBy(() -> FeatureSchema.parse(VALID.replace("\"vocabulary\": 50", "\"vocabulary\": 1"), "s"))
                .hasMessageContaining("feature category vocabulary must be in 2..50000000");
        assertThatThrownBy(() -> FeatureSchema.parse("{\"features\": []}", "s"))
                .hasMessageContaining("features must be a non-empty array");
        assertThatThrownBy(() -> FeatureSchema.parse("not json", "s")).hasMessageContaining("is not JSON");
    }

    @Test
    void sequenceAttributesAreReadCheckedAndKeptOutOfSchemasWithoutThem() {
        FeatureSchema plain = FeatureSchema.parse(VALID, "s");
        assertThat(plain.sequenceAttributes()).isEmpty();
        assertThat(plain.json()).doesNotContain("sequence_attributes");

        String withCategory = VALID.replace("\"sequence_length\": 5,", "\"sequence_length\": 5, "
                + "\"sequence_attributes\": [\"category\"],");
        FeatureSchema schema = FeatureSchema.parse(withCategory, "s");
        assertThat(schema.sequenceAttributes()).containsExactly("category");
        assertThat(schema.sha256()).isNotEqualTo(plain.sha256());
        assertThat(FeatureSchema.parse(schema.json(), "round trip").sequenceAttributes()).containsExactly("category");
        assertThat(plain.withSequenceAttributes(List.of("category")).json()).isEqualTo(schema.json());

        assertThatThrownBy(() -> FeatureSchema.parse(withCategory.replace("[\"category\"]", "[\"creator_id\"]"), "s"))
                .hasMessageContaining("sequence_attributes").hasMessageContaining("only \"category\"");
        assertThatThrownBy(() -> FeatureSchema.parse(withCategory.replace("{\"name\": \"category\", \"group\": "
                + "\"shared\", \"vocabulary\": 50},", ""), "s")).hasMessageContaining("category");
        assertThatThrownBy(() -> FeatureSchema.parse(withCategory.replace("[\"category\"]", "\"category\""), "s"))
                .hasMessageContaining("must be an array");
    }

    @Test
    void inferredSchemaCoversEveryColumn() {
        FeatureSchema schema = TinyWorld.schema();

        assertThat(schema.features()).extracting(f -> f.group().prefix() + "." + f.name() + "@" + f.domain())
                .containsExactly("user.user_id@null", "shared.item_id@null", "user.age@null", "shared.category@null",
                        "specific.brand@SOURCE", "specific.price@SOURCE", "specific.style@TARGET");
        assertThat(schema.feature("price").kind()).isEqualTo(FeatureSchema.Kind.NUMERIC);
    }
}

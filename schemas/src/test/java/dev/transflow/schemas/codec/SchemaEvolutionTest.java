package dev.transflow.schemas.codec;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Enforces the schema evolution policy of {@link SchemaHistory} on every event type. */
class SchemaEvolutionTest {

    @ParameterizedTest
    @EnumSource(EventType.class)
    void currentSchemaIsReleased(EventType type) throws IOException {
        List<Schema> released = SchemaHistory.releasedVersions(type);
        Schema latest = released.get(released.size() - 1);
        if (!latest.equals(type.schema())) {
            int next = type.releasedVersions() + 1;
            Path proposal = Path.of("target", "schema-proposals", type.recordName(), "v" + next + ".avsc");
            Files.createDirectories(proposal.getParent());
            Files.writeString(proposal, type.schema().toString(true) + "\n");
            fail("%s changed since its last released version v%d. Copy %s to schemas/src/main/resources%s and raise "
                    + "%s's released versions to %d in EventType.", type.recordName(), type.releasedVersions(),
                    proposal.toAbsolutePath(), SchemaHistory.resourcePath(type, next), type, next);
        }
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void currentSchemaIsCompatibleWithEveryReleasedVersion(EventType type) {
        assertThat(SchemaHistory.incompatibilities(type.schema(), SchemaHistory.releasedVersions(type))).isEmpty();
    }

    @Test
    void fieldWithoutDefaultBreaksBackwardCompatibility() {
        Schema released = EventType.CLICK.schema();
        Schema changed = withExtraField(released, "{\"name\":\"sessionId\",\"type\":\"string\"}");

        assertThat(SchemaHistory.incompatibilities(changed, List.of(released)))
                .singleElement().asString()
                .contains("new readers cannot read data written with Click v1")
                .contains("sessionId");
    }

    @Test
    void fieldWithDefaultIsCompatible() {
        Schema released = EventType.CLICK.schema();
        Schema changed = withExtraField(released,
                "{\"name\":\"sessionId\",\"type\":[\"null\",\"string\"],\"default\":null}");

        assertThat(SchemaHistory.incompatibilities(changed, List.of(released))).isEmpty();
    }

    @Test
    void narrowingATypeBreaksBackwardCompatibility() {
        Schema released = EventType.CLICK.schema();
        // long -> int: data written as long cannot be read as int (the reverse is an Avro promotion).
        Schema changed = new Schema.Parser().parse(released.toString()
                .replace("\"name\":\"eventTime\",\"type\":\"long\"", "\"name\":\"eventTime\",\"type\":\"int\""));

        assertThat(changed).isNotEqualTo(released);
        assertThat(SchemaHistory.incompatibilities(changed, List.of(released)))
                .singleElement().asString().contains("new readers cannot read").contains("field eventTime");
    }

    @Test
    void removingAnEnumSymbolWithoutDefaultIsReported() {
        Schema released = EventType.CLICK.schema();
        Schema changed = new Schema.Parser().parse(released.toString().replace("[\"PRODUCT\",\"POST\"]", "[\"POST\"]"));

        assertThat(SchemaHistory.incompatibilities(changed, List.of(released)))
                .anySatisfy(problem -> assertThat(problem).contains("PRODUCT"));
    }

    private static Schema withExtraField(Schema schema, String fieldJson) {
        String json = schema.toString();
        int end = json.lastIndexOf("]");
        return new Schema.Parser().parse(json.substring(0, end) + "," + fieldJson + json.substring(end));
    }
}

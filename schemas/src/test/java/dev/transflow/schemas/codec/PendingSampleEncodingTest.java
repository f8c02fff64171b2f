package dev.transflow.schemas.codec;

import dev.transflow.schemas.LabeledSample;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PendingSampleEncodingTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0, 0",
        "1, 1795454164042, 1795454164999",
        "0, 1, 63",
        "1, 64, 9223372036854775807",
        "0, -1, -9223372036854775808",
    })
    void pendingBytesPlusTheLabelAreTheEncodingOfTheLabeledSample(int label, long impressionTime, long labelTime)
            throws Exception {
        EventCodec<LabeledSample> codec = EventCodec.of(LabeledSample.class);
        LabeledSample sample = SampleEvents.labeledSample();
        sample.setImpressionTime(impressionTime);

        byte[] pending = new PendingSampleEncoding().pending(LabeledSample.newBuilder(sample).build());
        byte[] bytes = PendingSampleEncoding.labeled(pending, label, impressionTime, labelTime);

        sample.setLabel(label);
        sample.setLabelTime(labelTime);
        assertThat(bytes).isEqualTo(codec.encode(sample));
        assertThat(codec.decode(bytes)).isEqualTo(sample);
    }

    @Test
    void aSchemaWithAFieldAfterTheLabelIsRefused() {
        Schema moved = SchemaBuilder.record("LabeledSample").fields()
                .requiredString("impressionId").requiredInt("label").requiredLong("impressionTime")
                .requiredLong("labelTime").optionalString("added").endRecord();
        assertThatThrownBy(() -> PendingSampleEncoding.checkLayout(moved))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("keep new fields before them");
        Schema retyped = SchemaBuilder.record("LabeledSample").fields()
                .requiredString("impressionId").requiredLong("label").requiredLong("impressionTime")
                .requiredLong("labelTime").endRecord();
        assertThatThrownBy(() -> PendingSampleEncoding.checkLayout(retyped))
                .isInstanceOf(IllegalStateException.class);
        PendingSampleEncoding.checkLayout(LabeledSample.getClassSchema());
    }
}

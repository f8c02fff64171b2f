package dev.transflow.schemas.codec;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.ProductImpression;
import dev.transflow.schemas.codec.EventDecodeException.Reason;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventCodecTest {

    @ParameterizedTest
    @EnumSource(EventType.class)
    @SuppressWarnings("unchecked")
    void everyTypeRoundTrips(EventType type) throws Exception {
        SpecificRecord original = SampleEvents.of(type);
        EventCodec<SpecificRecord> codec = EventCodec.of((Class<SpecificRecord>) type.recordClass());

        byte[] bytes = codec.encode(original);

        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(codec.decode(bytes)).isEqualTo(original);
        // The codec reuses its buffers: a second round trip must not see the first record's bytes.
        assertThat(codec.decode(codec.encode(original))).isEqualTo(original);
    }

    @Test
    void headerIsStandardSingleObjectEncoding() {
        ProductImpression impression = SampleEvents.productImpression();
        byte[] ours = EventCodec.of(ProductImpression.class).encode(impression);
        // Avro's own encoder produces the same bytes, so any Avro implementation can read our topics.
        byte[] avros = toBytes(impression);
        assertThat(ours).isEqualTo(avros);
    }

    private static byte[] toBytes(ProductImpression impression) {
        try {
            var buffer = impression.toByteBuffer();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void payloadOfAnotherTransflowTypeIsWrongType() {
        byte[] click = EventCodec.of(Click.class).encode(SampleEvents.click());

        assertThatThrownBy(() -> EventCodec.of(ProductImpression.class).decode(click))
                .isInstanceOfSatisfying(EventDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_TYPE))
                .hasMessageContaining("is a Click")
                .hasMessageContaining("expected ProductImpression");
    }

    @Test
    void payloadOfAForeignSchemaIsUnknownSchema() throws IOException {
        Schema foreign = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Foreign\",\"fields\":"
                + "[{\"name\":\"x\",\"type\":\"int\"}]}");
        GenericRecord record = new GenericData.Record(foreign);
        record.put("x", 7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(EventCodec.header(SchemaNormalization.parsingFingerprint64(foreign)));
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(foreign).write(record, encoder);
        encoder.flush();

        assertThatThrownBy(() -> EventCodec.of(PostImpression.class).decode(out.toByteArray()))
                .isInstanceOfSatisfying(EventDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA))
                .hasMessageContaining(String.format("%016x", SchemaNormalization.parsingFingerprint64(foreign)));
    }

    @Test
    void truncatedBodyIsCorrupt() {
        byte[] full = EventCodec.of(PostImpression.class).encode(SampleEvents.postImpression());
        byte[] truncated = Arrays.copyOf(full, full.length - 7);

        assertThatThrownBy(() -> EventCodec.of(PostImpression.class).decode(truncated))
                .isInstanceOfSatisfying(EventDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT_PAYLOAD))
                .hasMessageContaining("does not decode as PostImpression v1");
    }

    @Test
    void trailingBytesAreCorrupt() {
        byte[] full = EventCodec.of(Click.class).encode(SampleEvents.click());
        byte[] padded = Arrays.copyOf(full, full.length + 3);

        assertThatThrownBy(() -> EventCodec.of(Click.class).decode(padded))
                .isInstanceOfSatisfying(EventDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT_PAYLOAD))
                .hasMessageContaining("trailing bytes");
    }

    @Test
    void absurdLengthPrefixIsCorruptNotOutOfMemory() {
        byte[] full = EventCodec.of(Click.class).encode(SampleEvents.click());
        byte[] damaged = Arrays.copyOf(full, EventCodec.HEADER_LENGTH + 5);
        // First field is a string: its zig-zag varint length now claims ~1 GiB.
        damaged[10] = (byte) 0xFE;
        damaged[11] = (byte) 0xFF;
        damaged[12] = (byte) 0xFF;
        damaged[13] = (byte) 0xFF;
        damaged[14] = (byte) 0x07;

        assertThatThrownBy(() -> EventCodec.of(Click.class).decode(damaged))
                .isInstanceOfSatisfying(EventDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT_PAYLOAD));
    }

    @Test
    void plainTextAndNullAreNotSingleObject() {
        byte[] json = "{\"impressionId\":\"x\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> EventCodec.of(Click.class).decode(json))
                .isInstanceOfSatisfying(EventDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NOT_SINGLE_OBJECT))
                .hasMessageContaining("7B 22 69 6D");
        assertThatThrownBy(() -> EventCodec.of(Click.class).decode(null))
                .isInstanceOfSatisfying(EventDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NOT_SINGLE_OBJECT));
        assertThatThrownBy(() -> EventCodec.of(Click.class).decode(new byte[] {(byte) 0xC3, 0x01, 0}))
                .isInstanceOfSatisfying(EventDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NOT_SINGLE_OBJECT));
    }

    @Test
    void missingRequiredFieldFailsEncodingWithTheTypeName() {
        Click incomplete = SampleEvents.click();
        incomplete.setUserId(null);

        assertThatThrownBy(() -> EventCodec.of(Click.class).encode(incomplete))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Cannot encode Click");
    }

    @Test
    void addingAModelKindIsACompatibleChange() {
        // ModelKind has a default symbol, so older readers map a kind they do not know to UNKNOWN.
        Schema newer = new Schema.Parser().parse(ModelVersion.getClassSchema().toString()
                .replace("\"UNKNOWN\"]", "\"UNKNOWN\",\"FUTURE\"]"));
        assertThat(SchemaHistory.incompatibilities(newer, SchemaHistory.releasedVersions(EventType.MODEL_VERSION)))
                .isEmpty();
    }

    @Test
    void codecSurvivesJavaSerialization() throws Exception {
        EventCodec<Click> codec = EventCodec.of(Click.class);
        codec.encode(SampleEvents.click());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(codec);
        }
        @SuppressWarnings("unchecked")
        EventCodec<Click> copy = (EventCodec<Click>) new ObjectInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray())).readObject();

        assertThat(copy.decode(codec.encode(SampleEvents.click()))).isEqualTo(SampleEvents.click());
        assertThat(copy.type()).isEqualTo(EventType.CLICK);
    }
}

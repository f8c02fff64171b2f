package dev.transflow.schemas.codec;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.Prediction;
import dev.transflow.schemas.ProductImpression;
import dev.transflow.schemas.codec.EventDecodeException.Reason;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

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

    static List<AbsurdLengths.Case> absurdLengths() {
        return AbsurdLengths.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("absurdLengths")
    @SuppressWarnings("unchecked")
    void lengthBeyondThePayloadIsCorruptAndNeverAllocated(AbsurdLengths.Case damaged) throws Exception {
        EventCodec<SpecificRecord> codec = EventCodec.of((Class<SpecificRecord>) damaged.type());
        catchThrowable(() -> codec.decode(damaged.payload())); // loads schemas and classes before measuring
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        Throwable thrown = catchThrowable(() -> codec.decode(damaged.payload()));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(thrown).isInstanceOfSatisfying(EventDecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT_PAYLOAD))
                .hasMessageContaining("does not decode as " + codec.type().recordName())
                .hasMessageContaining(Integer.toString(AbsurdLengths.CLAIM));
        // Whatever the heap, a claim of 2 GB must cost the bytes of an exception, not the claim.
        assertThat(allocated).isLessThan(1 << 20);
    }

    @Test
    void absurdLengthsAreCorruptInASmallHeap(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Surefire runs tests from a manifest-only jar; this property holds the real test class path.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path log = dir.resolve("output.txt");
        Process process = new ProcessBuilder(java, "-Xmx64m", "-cp", classPath, AbsurdLengths.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String output = Files.readString(log);

        assertThat(exited).as(output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(AbsurdLengths.cases()).allSatisfy(c -> assertThat(output).contains(c.name() + ": CORRUPT_PAYLOAD"));
    }

    @Test
    void deadLetterOfTheFirstReleaseReadsWithTheNewFieldsDefaulted() throws Exception {
        Schema v1 = SchemaHistory.releasedVersions(EventType.DEAD_LETTER).get(0);
        GenericRecord old = new GenericData.Record(v1);
        old.put("sourceTopic", "clicks");
        old.put("partition", 2);
        old.put("offset", 41L);
        old.put("key", ByteBuffer.wrap(new byte[] {7}));
        old.put("value", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        old.put("reasonCode", "CORRUPT_PAYLOAD");
        old.put("reason", "truncated");
        old.put("stage", "decode");
        old.put("failedAt", 5L);

        DeadLetter read = EventCodec.of(DeadLetter.class).decode(singleObject(old));

        assertThat(read.getOffset()).isEqualTo(41L);
        assertThat(read.getValue().remaining()).isEqualTo(3);
        assertThat(read.getValueSize()).isNull();
        assertThat(read.getValueTruncated()).isFalse();
        assertThat(read.getKeyTruncated()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void predictionOfAnOlderReleaseReadsWithoutKnowledgeVersions(int version) throws Exception {
        Schema old = SchemaHistory.releasedVersions(EventType.PREDICTION).get(version - 1);
        GenericRecord p = new GenericData.Record(old);
        p.put("impressionId", "imp-t-1");
        p.put("domain", new GenericData.EnumSymbol(old.getField("domain").schema(), "TARGET"));
        p.put("userId", "u-1");
        p.put("itemId", "t-7");
        p.put("score", 0.25);
        p.put("modelKind", new GenericData.EnumSymbol(old.getField("modelKind").schema(), "TEM"));
        p.put("modelVersion", 40L);
        p.put("knowledgeVersion", 12L);
        p.put("impressionTime", 1L);
        p.put("predictedAt", 2L);

        Prediction read = EventCodec.of(Prediction.class).decode(singleObject(p));

        // An old producer said nothing about kinds: the map is empty, the deprecated field is kept as it was.
        assertThat(read.getKnowledgeVersions()).isEmpty();
        assertThat(read.getKnowledgeVersion()).isEqualTo(12L);
        assertThat(read.getModelVersion()).isEqualTo(40L);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void readersOfAnOlderReleaseReadTodaysPredictionAndItsMemVersion(int version) throws Exception {
        Schema old = SchemaHistory.releasedVersions(EventType.PREDICTION).get(version - 1);
        byte[] bytes = EventCodec.of(Prediction.class).encode(SampleEvents.prediction());
        int body = EventCodec.header(0L).length; // a consumer of an old release resolves after the header
        var decoder = DecoderFactory.get().binaryDecoder(bytes, body, bytes.length - body, null);

        GenericRecord read = new GenericDatumReader<GenericRecord>(Prediction.getClassSchema(), old)
                .read(null, decoder);

        assertThat(read.getSchema().getField("knowledgeVersions")).isNull();
        assertThat(read.get("knowledgeVersion")).isEqualTo(12L);
        assertThat(read.get("modelVersion")).isEqualTo(5000L);
        assertThat(decoder.isEnd()).isTrue();
    }

    /** {@code record} in single-object encoding under its own (released) schema, as an old producer wrote it. */
    private static byte[] singleObject(GenericRecord record) throws IOException {
        Schema writer = record.getSchema();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(EventCodec.header(SchemaNormalization.parsingFingerprint64(writer)));
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(writer).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
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

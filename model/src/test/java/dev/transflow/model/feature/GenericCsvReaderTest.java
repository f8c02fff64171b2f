package dev.transflow.model.feature;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GenericCsvReaderTest {

    private static final String HEADER = "timestamp,user_id,item_id,label,user.age,shared.category,specific.price#num";

    private static List<InteractionRow> readAll(String text, List<CsvFormatException> bad) {
        try (GenericCsvReader reader = GenericCsvReader.open(new StringReader(text), "test.csv", bad::add)) {
            List<InteractionRow> rows = new ArrayList<>();
            for (InteractionRow row = reader.next(); row != null; row = reader.next()) {
                rows.add(row);
            }
            return rows;
        }
    }

    @Test
    void readsColumnsByGroupAndKind() {
        List<CsvFormatException> bad = new ArrayList<>();
        List<InteractionRow> rows = readAll(HEADER + "\n1000,u1,i1,1,25,books,9.5\n2000,u2,i2,0,,\"a, b\",\n", bad);

        assertThat(bad).isEmpty();
        assertThat(rows).hasSize(2);
        CsvLayout layout = rows.get(0).layout();
        assertThat(layout.categorical()).extracting(CsvLayout.FeatureColumn::header)
                .containsExactly("user.age", "shared.category");
        assertThat(layout.numeric()).extracting(CsvLayout.FeatureColumn::header).containsExactly("specific.price#num");
        assertThat(layout.numeric().get(0).name()).isEqualTo("price");

        InteractionRow first = rows.get(0);
        assertThat(first.timestamp()).isEqualTo(1000);
        assertThat(first.userId()).isEqualTo("u1");
        assertThat(first.label()).isEqualTo(1);
        assertThat(first.categorical(0)).isEqualTo("25");
        assertThat(first.numeric(0)).isEqualTo(9.5);
        assertThat(first.line()).isEqualTo(2);

        InteractionRow second = rows.get(1);
        assertThat(second.categorical(0)).as("empty cell is missing").isNull();
        assertThat(second.categorical(1)).as("quoted comma").isEqualTo("a, b");
        assertThat(second.numeric(0)).isNaN();
    }

    @Test
    void columnsMayComeInAnyOrder() {
        List<InteractionRow> rows = readAll("label,shared.x,item_id,timestamp,user_id\n0,v,i9,5,u3\n", new ArrayList<>());

        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.timestamp()).isEqualTo(5);
            assertThat(r.itemId()).isEqualTo("i9");
            assertThat(r.categorical(0)).isEqualTo("v");
        });
    }

    @Test
    void badRowsAreReportedWithTheirLineAndTheRestIsRead() {
        String text = HEADER + "\n"
                + "1000,u1,i1,1,25,books,9.5\n"      // line 2: fine
                + "1001,u1,i1,2,25,books,9.5\n"      // line 3: label
                + "x,u1,i1,0,25,books,9.5\n"         // line 4: timestamp
                + "1002,u1,i1,0,25,books,NaN\n"      // line 5: NaN
                + "1003,u1,i1,0,25,books\n"          // line 6: too few fields
                + "1004,,i1,0,25,books,1\n"          // line 7: empty user
                + "1005,u1,i1,0,25,books,cheap\n"    // line 8: not a number
                + "1006,u1,i1,0,25,books,Infinity\n" // line 9: infinite
                + "\n"                               // line 10: blank, skipped
                + "1007,u2,i2,0,30,toys,1.25\n";     // line 11: fine
        List<CsvFormatException> bad = new ArrayList<>();

        List<InteractionRow> rows = readAll(text, bad);

        assertThat(rows).extracting(InteractionRow::line).containsExactly(2L, 11L);
        assertThat(bad).extracting(CsvFormatException::line).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(bad.get(0)).hasMessage("test.csv:3: label must be 0 or 1, got '2'");
        assertThat(bad.get(1).problem()).contains("timestamp 'x'");
        assertThat(bad.get(2).problem()).contains("specific.price#num").contains("not finite");
        assertThat(bad.get(3).problem()).contains("6 fields, the header 7");
        assertThat(bad.get(4).problem()).contains("user_id is empty");
        assertThat(bad.get(5).problem()).contains("'cheap' is not a number");
        assertThat(bad.get(6).problem()).contains("not finite");
    }

    @Test
    void headerWithoutRequiredColumnsNamesThem() {
        assertThatThrownBy(() -> readAll("user_id,item_id,click\nu,i,1\n", new ArrayList<>()))
                .isInstanceOf(CsvFormatException.class)
                .hasMessageContaining("test.csv:1")
                .hasMessageContaining("[timestamp, label]");
    }

    @Test
    void unknownColumnAndDuplicateColumnAreRejected() {
        assertThatThrownBy(() -> readAll("timestamp,user_id,item_id,label,price\n", new ArrayList<>()))
                .isInstanceOf(CsvFormatException.class)
                .hasMessageContaining("column 'price'")
                .hasMessageContaining("specific.<name>");
        assertThatThrownBy(() -> readAll("timestamp,user_id,item_id,label,user.a,user.a\n", new ArrayList<>()))
                .hasMessageContaining("appears twice");
    }

    @Test
    void emptyFileAndFileWithoutValidRowsAreErrors(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> readAll("", new ArrayList<>())).hasMessageContaining("empty");
        Path file = Files.writeString(dir.resolve("bad.csv"), HEADER + "\n1,u,i,7,a,b,1\n");
        List<CsvFormatException> bad = new ArrayList<>();

        assertThatThrownBy(() -> GenericCsvReader.readAll(file, bad::add))
                .isInstanceOf(CsvFormatException.class)
                .hasMessageContaining("bad.csv")
                .hasMessageContaining("no valid row (1 bad)");
        assertThat(bad).hasSize(1);
        assertThatThrownBy(() -> GenericCsvReader.readAll(dir.resolve("missing.csv"), GenericCsvReader.FAIL))
                .hasMessageContaining("missing.csv").hasMessageContaining("no such file");
    }

    @Test
    void failPolicyStopsAtTheFirstBadRow() {
        assertThatThrownBy(() -> readAllFailing(HEADER + "\n1,u,i,1,a,b,1\n2,u,i,x,a,b,1\n"))
                .isInstanceOf(CsvFormatException.class)
                .hasMessage("test.csv:3: label must be 0 or 1, got 'x'");
    }

    private static void readAllFailing(String text) {
        try (GenericCsvReader reader = GenericCsvReader.open(new StringReader(text), "test.csv", GenericCsvReader.FAIL)) {
            while (reader.next() != null) {
                // read on
            }
        }
    }

    @Test
    void writerOutputReadsBackIdentically() {
        CsvLayout layout = CsvLayout.of(List.of(
                new CsvLayout.FeatureColumn(FeatureGroup.USER, "city", false, -1),
                new CsvLayout.FeatureColumn(FeatureGroup.SPECIFIC, "style", false, -1),
                new CsvLayout.FeatureColumn(FeatureGroup.SPECIFIC, "price", true, -1)));
        StringWriter text = new StringWriter();
        try (GenericCsvWriter writer = new GenericCsvWriter(text, layout)) {
            writer.write(10, "u1", "i1", 1, new String[] {"Paris, FR", "say \"hi\""}, new double[] {19.99});
            writer.write(11, "u2", "i2", 0, new String[] {null, "multi\nline"}, new double[] {Double.NaN});
            writer.write(12, "u3", "i3", 0, new String[] {"x", "y"}, new double[] {3});
        }
        assertThat(text.toString()).startsWith("timestamp,user_id,item_id,label,user.city,specific.style,specific.price#num\n");
        assertThat(text.toString()).contains(",3\n");

        List<CsvFormatException> bad = new ArrayList<>();
        List<InteractionRow> rows = readAll(text.toString(), bad);

        assertThat(bad).isEmpty();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).categorical(0)).isEqualTo("Paris, FR");
        assertThat(rows.get(0).categorical(1)).isEqualTo("say \"hi\"");
        assertThat(rows.get(0).numeric(0)).isEqualTo(19.99);
        assertThat(rows.get(1).categorical(0)).isNull();
        assertThat(rows.get(1).categorical(1)).isEqualTo("multi\nline");
        assertThat(rows.get(1).numeric(0)).isNaN();
        assertThat(rows.get(2).line()).as("the quoted line break spans two lines").isEqualTo(5);
    }
}

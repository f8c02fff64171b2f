package dev.transflow.replay;

import dev.transflow.model.feature.CsvFormatException;
import dev.transflow.model.feature.CsvLayout;
import dev.transflow.model.feature.InteractionRow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TenrecReaderTest {

    /** The header of Tenrec's QK-video.csv (DESIGN notes); the data here is made up. */
    private static final String VIDEO_HEADER =
            "user_id,item_id,click,follow,like,share,video_category,watching_times,gender,age";

    private static final TenrecReader.Options OPTIONS =
            new TenrecReader.Options("like", 1_000_000L, Duration.ofSeconds(30), Map.of(), Set.of());

    @Test
    void mapsVideoColumnsAndSpreadsRowsOverTheSpan(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("QK-video.csv"), VIDEO_HEADER + "\n"
                + "1,100,1,0,1,0,3,2,1,4\n"
                + "2,101,1,0,0,0,5,1,2,3\n"
                + "1,102,0,0,0,0,3,0,1,4\n"
                + "3,103,1,1,1,1,7,9,2,2\n");
        List<CsvFormatException> bad = new ArrayList<>();

        List<InteractionRow> rows = TenrecReader.read(file, OPTIONS, bad::add);

        assertThat(bad).isEmpty();
        assertThat(rows).extracting(InteractionRow::label).containsExactly(1, 0, 0, 1);
        assertThat(rows).extracting(InteractionRow::timestamp).containsExactly(1_000_000L, 1_010_000L, 1_020_000L,
                1_030_000L);
        CsvLayout layout = rows.get(0).layout();
        // Outcome columns (click, follow, like, share, watching_times) never become features.
        assertThat(layout.categorical()).extracting(CsvLayout.FeatureColumn::header)
                .containsExactly("shared.category", "user.gender", "user.age");
        assertThat(layout.numeric()).isEmpty();
        assertThat(rows.get(3).userId()).isEqualTo("3");
        assertThat(rows.get(3).categorical(0)).isEqualTo("7");
    }

    @Test
    void articleColumnsAreMappedByOptionOrBecomeSpecific(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("QK-article.csv"),
                "user_id,item_id,click,like,gender,age,category_first,category_second,read_count,hist_1\n"
                        + "1,9,1,1,1,3,12,120,55,8\n"
                        + "2,8,1,0,2,5,13,131,7,9\n");
        TenrecReader.Options options = new TenrecReader.Options("like", 0, Duration.ofDays(1),
                Map.of("category_first", "shared.category", "read_count", "specific.read_count#num"), Set.of());

        List<InteractionRow> rows = TenrecReader.read(file, options, e -> {
            throw e;
        });

        CsvLayout layout = rows.get(0).layout();
        assertThat(layout.categorical()).extracting(CsvLayout.FeatureColumn::header)
                .containsExactly("user.gender", "user.age", "shared.category", "specific.category_second");
        assertThat(layout.numeric()).extracting(CsvLayout.FeatureColumn::header)
                .containsExactly("specific.read_count#num");
        assertThat(rows.get(0).numeric(0)).isEqualTo(55.0);
        assertThat(rows.get(1).timestamp()).isEqualTo(Duration.ofDays(1).toMillis());
    }

    @Test
    void headerWithoutTheLabelColumnSaysWhatToDo(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("other.csv"), "user_id,item_id,rating\n1,2,5\n");

        assertThatThrownBy(() -> TenrecReader.read(file, OPTIONS, e -> { }))
                .isInstanceOf(CsvFormatException.class)
                .hasMessageContaining("other.csv:1")
                .hasMessageContaining("lacks [like]")
                .hasMessageContaining("--tenrec-label");
    }

    @Test
    void mappingOfAMissingColumnOrIntoNoGroupIsAnError(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("v.csv"), VIDEO_HEADER + "\n1,100,1,0,1,0,3,2,1,4\n");

        assertThatThrownBy(() -> TenrecReader.read(file, new TenrecReader.Options("like", 0, Duration.ZERO,
                Map.of("nope", "user.nope"), Set.of()), e -> { }))
                .hasMessageContaining("--map names column 'nope'");
        assertThatThrownBy(() -> TenrecReader.read(file, new TenrecReader.Options("like", 0, Duration.ZERO,
                Map.of("age", "profile.age"), Set.of()), e -> { }))
                .hasMessageContaining("'profile.age'");
    }

    @Test
    void badRowsAreReportedWithLineNumbers(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("v.csv"), VIDEO_HEADER + "\n"
                + "1,100,1,0,1,0,3,2,1,4\n"
                + "1,100,1,0,yes,0,3,2,1,4\n"
                + "1,100,1\n"
                + ",100,1,0,1,0,3,2,1,4\n");
        List<CsvFormatException> bad = new ArrayList<>();

        List<InteractionRow> rows = TenrecReader.read(file, OPTIONS, bad::add);

        assertThat(rows).hasSize(1);
        assertThat(bad).extracting(CsvFormatException::line).containsExactly(3L, 4L, 5L);
        assertThat(bad.get(0).problem()).contains("label must be 0 or 1, got 'yes'");
        assertThat(bad.get(1).problem()).contains("3 fields");
        assertThat(bad.get(2).problem()).contains("user_id is empty");
    }
}

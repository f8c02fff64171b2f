package dev.transflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SoakReportTest {

    /** Eight observations: memory flat after warm-up, state growing by half, no checkpoint in the first one. */
    private static SoakBenchmark.Report report() {
        List<SoakBenchmark.Sample> samples = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            double rss = i < 2 ? 300 + 100 * i : 500;
            double state = i < 4 ? 10 : 15;
            samples.add(new SoakBenchmark.Sample(30 * (i + 1), rss, 200, i == 0 ? Double.NaN : 1000, 180,
                    i == 0 ? Double.NaN : 400, i == 0 ? Double.NaN : state));
        }
        return new SoakBenchmark.Report(1000, Duration.ofMinutes(4), samples);
    }

    @Test
    void driftComparesTheLastQuarterWithTheSecond() {
        SoakBenchmark.Report report = report();
        assertThat(report.drift(SoakBenchmark.Sample::rssMb)).isCloseTo(0, within(1e-9));
        // Second quarter (samples 2, 3): 10 MB; last quarter (6, 7): 15 MB.
        assertThat(report.drift(SoakBenchmark.Sample::checkpointStateMb)).isCloseTo(0.5, within(1e-9));
        assertThat(report.verdicts(0.1)).contains("drift rss_mb                  +0.0%  flat",
                "drift checkpoint_state_mb    +50.0%  GROWS", "drift labeled_per_s           +0.0%", "drift heap_mb                 +0.0%");
        assertThat(report.verdicts(0.6)).contains("drift checkpoint_state_mb    +50.0%  flat");
        assertThat(new SoakBenchmark.Report(1000, Duration.ofMinutes(1), report.samples().subList(0, 3))
                .drift(SoakBenchmark.Sample::rssMb)).isNaN();
    }

    @Test
    void theJsonHoldsEverySeriesAndTheDrifts() throws Exception {
        JsonNode json = new ObjectMapper().readTree(report().json());
        assertThat(json.path("benchmark").asText()).isEqualTo("soak");
        assertThat(json.path("duration_s").asLong()).isEqualTo(240);
        assertThat(json.path("drift").path("checkpoint_state_mb").asDouble()).isCloseTo(0.5, within(1e-3));
        for (String series : SoakBenchmark.SERIES.keySet()) {
            assertThat(json.path(series).size()).as(series).isEqualTo(8);
        }
        assertThat(json.path("seconds").get(7).asDouble()).isEqualTo(240);
        assertThat(json.path("checkpoint_ms").get(0).isNull()).as("no checkpoint yet").isTrue();
    }

    @Test
    void theChartHasFourPanels(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("soak.png");
        report().writePng(png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(2 * LineCharts.PANEL_WIDTH);
        assertThat(image.getHeight()).isEqualTo(2 * LineCharts.PANEL_HEIGHT);
        // Each panel has a line drawn in its plot area, not only the white background.
        for (int panel = 0; panel < 4; panel++) {
            int left = (panel % 2) * LineCharts.PANEL_WIDTH;
            int top = (panel / 2) * LineCharts.PANEL_HEIGHT;
            boolean drawn = false;
            for (int x = left + 50; x < left + LineCharts.PANEL_WIDTH - 20 && !drawn; x++) {
                for (int y = top + 25; y < top + LineCharts.PANEL_HEIGHT - 25 && !drawn; y++) {
                    int rgb = image.getRGB(x, y) & 0xFFFFFF;
                    drawn = (rgb & 0xFF) > 0x90 && ((rgb >> 16) & 0xFF) < 0x60;
                }
            }
            assertThat(drawn).as("panel %d has its line", panel).isTrue();
        }
    }
}

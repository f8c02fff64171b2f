package dev.transflow.model.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Summaries of evaluation results: the console table, {@code results.csv}, {@code results.md} and a chart. */
public final class EvaluationReport {

    /** Mean and sample standard deviation of one metric over seeds. */
    public record Stat(double mean, double std) {
        static Stat of(List<Double> values) {
            List<Double> finite = values.stream().filter(v -> !Double.isNaN(v)).toList();
            if (finite.isEmpty()) {
                return new Stat(Double.NaN, Double.NaN);
            }
            double mean = finite.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double var = finite.size() < 2 ? 0 : finite.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum()
                    / (finite.size() - 1);
            return new Stat(mean, Math.sqrt(var));
        }

        String format() {
            return String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
        }
    }

    /** Per-model summary, in the order models were first evaluated. */
    public record Summary(String model, Stat auc, Stat gauc, Stat logLoss, int seeds, int n) {}

    private final List<OfflineEvaluation.Result> results;

    public EvaluationReport(List<OfflineEvaluation.Result> results) {
        this.results = List.copyOf(results);
    }

    public List<Summary> summaries() {
        Map<String, List<OfflineEvaluation.Result>> byModel = new LinkedHashMap<>();
        for (OfflineEvaluation.Result r : results) {
            byModel.computeIfAbsent(r.model(), m -> new ArrayList<>()).add(r);
        }
        List<Summary> out = new ArrayList<>();
        byModel.forEach((model, rs) -> out.add(new Summary(model,
                Stat.of(rs.stream().map(OfflineEvaluation.Result::auc).toList()),
                Stat.of(rs.stream().map(OfflineEvaluation.Result::gauc).toList()),
                Stat.of(rs.stream().map(OfflineEvaluation.Result::logLoss).toList()), rs.size(), rs.get(0).n())));
        return out;
    }

    /** Fixed-width table of target-domain metrics, mean ± std over seeds. */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-14s %-17s %-17s %-17s %5s %8s%n", "model", "target AUC",
                "target GAUC", "target log-loss", "seeds", "n"));
        for (Summary s : summaries()) {
            out.append(String.format(Locale.ROOT, "%-14s %-17s %-17s %-17s %5d %8d%n", s.model(), s.auc().format(),
                    s.gauc().format(), s.logLoss().format(), s.seeds(), s.n()));
        }
        return out.toString();
    }

    /** Writes results.csv, results.md and results.png into {@code dir}. */
    public void write(Path dir, String title) {
        try {
            Files.createDirectories(dir);
            StringBuilder csv = new StringBuilder("model,seed,domain,auc,gauc,logloss,n\n");
            for (OfflineEvaluation.Result r : results) {
                csv.append(String.format(Locale.ROOT, "%s,%d,%s,%s,%s,%s,%d%n", r.model(), r.seed(),
                        r.domain().name().toLowerCase(Locale.ROOT), number(r.auc()), number(r.gauc()),
                        number(r.logLoss()), r.n()));
            }
            Files.writeString(dir.resolve("results.csv"), csv);
            StringBuilder md = new StringBuilder("# " + title + "\n\n");
            md.append("Target-domain test metrics, mean ± standard deviation over seeds.\n\n");
            md.append("| model | AUC | GAUC | log-loss | seeds | test rows |\n|---|---|---|---|---|---|\n");
            for (Summary s : summaries()) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %d |%n", s.model(), s.auc().format(),
                        s.gauc().format(), s.logLoss().format(), s.seeds(), s.n()));
            }
            md.append("\n![target AUC by model](results.png)\n");
            Files.writeString(dir.resolve("results.md"), md);
            ImageIO.write(chart(title), "png", dir.resolve("results.png").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the report to " + dir, e);
        }
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }

    /** Bars of mean target AUC per model with ± one standard deviation, on an axis zoomed to the data. */
    BufferedImage chart(String title) {
        List<Summary> summaries = summaries();
        int width = 140 + 110 * summaries.size();
        int height = 420;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Summary s : summaries) {
            if (!Double.isNaN(s.auc().mean())) {
                lo = Math.min(lo, s.auc().mean() - s.auc().std());
                hi = Math.max(hi, s.auc().mean() + s.auc().std());
            }
        }
        if (lo > hi) {
            lo = 0.5;
            hi = 1.0;
        }
        double pad = Math.max(0.002, (hi - lo) * 0.25);
        lo -= pad;
        hi += pad;
        int left = 80;
        int top = 50;
        int bottom = height - 70;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, left, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawLine(left, top, left, bottom);
        g.drawLine(left, bottom, width - 20, bottom);
        for (int i = 0; i <= 4; i++) {
            double v = lo + (hi - lo) * i / 4;
            int y = bottom - (int) ((bottom - top) * i / 4.0);
            g.drawString(String.format(Locale.ROOT, "%.4f", v), 10, y + 4);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left + 1, y, width - 20, y);
            g.setColor(Color.BLACK);
        }
        g.drawString("target AUC (mean ± std over seeds)", left, height - 15);
        for (int i = 0; i < summaries.size(); i++) {
            Summary s = summaries.get(i);
            int x = left + 30 + i * 110;
            g.setColor(Color.BLACK);
            g.drawString(s.model(), x, bottom + 20);
            if (Double.isNaN(s.auc().mean())) {
                continue;
            }
            int y = bottom - (int) ((s.auc().mean() - lo) / (hi - lo) * (bottom - top));
            g.setColor(s.model().startsWith("mkt") ? new Color(214, 96, 77) : new Color(67, 147, 195));
            g.fillRect(x, y, 60, bottom - y);
            int yHi = bottom - (int) ((s.auc().mean() + s.auc().std() - lo) / (hi - lo) * (bottom - top));
            int yLo = bottom - (int) ((s.auc().mean() - s.auc().std() - lo) / (hi - lo) * (bottom - top));
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1.5f));
            g.drawLine(x + 30, yHi, x + 30, yLo);
            g.drawLine(x + 24, yHi, x + 36, yHi);
            g.drawLine(x + 24, yLo, x + 36, yLo);
            g.drawString(String.format(Locale.ROOT, "%.4f", s.auc().mean()), x + 8, Math.min(yHi, y) - 6);
        }
        g.dispose();
        return image;
    }
}

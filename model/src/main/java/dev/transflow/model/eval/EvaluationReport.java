package dev.transflow.model.eval;

import dev.transflow.model.train.StageLog;

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
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

/**
 * Summaries of evaluation results: the console tables, {@code results.csv}, {@code pairs.csv}, {@code results.md}
 * and a chart. Besides mean ± std per model it tests the comparisons the paper claims seed by seed: seeds are
 * paired (for one seed every model sees the same row order and the same initial shared weights), so the spread of
 * per-seed differences is what decides a claim, not the overlap of two error bars.
 */
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
            // A metric no seed could compute (GAUC without any user with both labels) reads as such, not as "NaN".
            return Double.isNaN(mean) ? "n/a" : String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
        }
    }

    /** Per-model summary, in the order models were first evaluated. */
    public record Summary(String model, Stat auc, Stat gauc, Stat logLoss, int seeds, int n) {}

    /** A figure from outside this run (say scikit-learn LR on the same split): one row, no spread, never paired. */
    public record Peer(String name, double auc, double gauc) {}

    /** The claim that model {@code a} scores higher than model {@code b}, and the rule of {@link #claims} behind it. */
    public record Claim(String a, String b, String rule) {}

    /** The metrics claims are tested on. */
    public enum Metric {
        AUC(OfflineEvaluation.Result::auc), GAUC(OfflineEvaluation.Result::gauc);

        private final ToDoubleFunction<OfflineEvaluation.Result> value;

        Metric(ToDoubleFunction<OfflineEvaluation.Result> value) {
            this.value = value;
        }
    }

    /**
     * Differences {@code d_s = metric(a, s) - metric(b, s)} over the {@code n} seeds where both models have a
     * value: their mean, sample standard deviation and standard error {@code std / sqrt(n)}.
     */
    public record PairedDifference(Claim claim, Metric metric, int n, double mean, double std, double se) {

        /** The claim holds when the mean difference exceeds two standard errors; one seed proves nothing. */
        public boolean holds() {
            return n >= 2 && mean > 2 * se;
        }

        static PairedDifference of(Claim claim, Metric metric, Map<Long, Double> a, Map<Long, Double> b) {
            double[] d = a.entrySet().stream().filter(e -> b.containsKey(e.getKey()))
                    .mapToDouble(e -> e.getValue() - b.get(e.getKey())).toArray();
            int n = d.length;
            double mean = n == 0 ? Double.NaN : Arrays.stream(d).average().orElseThrow();
            double std = n < 2 ? Double.NaN
                    : Math.sqrt(Arrays.stream(d).map(x -> (x - mean) * (x - mean)).sum() / (n - 1));
            return new PairedDifference(claim, metric, n, mean, std, std / Math.sqrt(n));
        }

        String holdsText() {
            return n < 2 ? "n < 2" : holds() ? "yes" : "no";
        }
    }

    // Model names the claim rules refer to.
    static final String LR = "lr";
    static final String MLP = "mlp";
    static final String DIN = "din";
    static final String MMOE = "mmoe";
    static final String FINETUNE = "finetune";
    static final String MKT = "mkt";
    static final String ABLATION_PREFIX = "mkt-no-";

    static final String RULE_ORDER = "paper order";
    static final String RULE_ABLATION = "ablation";
    static final String RULE_BASELINE = "baseline";

    private final List<OfflineEvaluation.Result> results;
    private final List<Peer> peers = new ArrayList<>();
    private final List<OfflineEvaluation.Training> training = new ArrayList<>();

    public EvaluationReport(List<OfflineEvaluation.Result> results) {
        this.results = List.copyOf(results);
    }

    /**
     * Adds an external figure as a row of the tables, marked external; it takes part in no paired difference,
     * having no seeds. Returns this report.
     */
    public EvaluationReport withPeer(String name, double auc, double gauc) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A peer needs a name");
        }
        // One name, one row: a peer called like an evaluated model (or another peer) would make the table ambiguous.
        if (modelNames().contains(name) || peers.stream().anyMatch(p -> p.name().equals(name))) {
            throw new IllegalArgumentException("The report already has a row named '" + name + "'");
        }
        peers.add(new Peer(name, auc, gauc));
        return this;
    }

    /** Adds what the models' training stages did, for the "Validation curve / epochs" section of results.md. */
    public void addTraining(List<OfflineEvaluation.Training> logs) {
        training.addAll(logs);
    }

    public List<Peer> peers() {
        return List.copyOf(peers);
    }

    public List<Summary> summaries() {
        Map<String, List<OfflineEvaluation.Result>> byModel = byModel();
        List<Summary> out = new ArrayList<>();
        byModel.forEach((model, rs) -> out.add(new Summary(model,
                Stat.of(rs.stream().map(OfflineEvaluation.Result::auc).toList()),
                Stat.of(rs.stream().map(OfflineEvaluation.Result::gauc).toList()),
                Stat.of(rs.stream().map(OfflineEvaluation.Result::logLoss).toList()), rs.size(), rs.get(0).n())));
        return out;
    }

    private Map<String, List<OfflineEvaluation.Result>> byModel() {
        Map<String, List<OfflineEvaluation.Result>> byModel = new LinkedHashMap<>();
        for (OfflineEvaluation.Result r : results) {
            byModel.computeIfAbsent(r.model(), m -> new ArrayList<>()).add(r);
        }
        return byModel;
    }

    private List<String> modelNames() {
        return List.copyOf(byModel().keySet());
    }

    /**
     * The claims "A scores higher than B" among {@code models}, in this order and without repeats:
     * <ol>
     * <li>paper order: single-domain deep model &lt; {@code mmoe} &lt; {@code finetune} &lt; {@code mkt}, each
     * present model against the next lower present one (a missing step is bridged, the ordering being transitive);
     * the single-domain deep model is {@code din} if present, else {@code mlp};</li>
     * <li>ablation: {@code mkt} against each {@code mkt-no-*} model;</li>
     * <li>baseline: every other model against {@code lr}, the logistic regression.</li>
     * </ol>
     * A model no rule names ({@code shared-bottom}, {@code deepfm}, {@code dcn}, ...) is compared with {@code lr}
     * only. External peers are never in {@code models}: they have no seeds to pair.
     */
    public static List<Claim> claims(Collection<String> models) {
        Map<String, Claim> out = new LinkedHashMap<>();
        String singleDomain = models.contains(DIN) ? DIN : MLP;
        List<String> order = new ArrayList<>(List.of(singleDomain, MMOE, FINETUNE, MKT));
        order.retainAll(models);
        for (int i = 1; i < order.size(); i++) {
            add(out, new Claim(order.get(i), order.get(i - 1), RULE_ORDER));
        }
        if (models.contains(MKT)) {
            for (String m : models) {
                if (m.startsWith(ABLATION_PREFIX)) {
                    add(out, new Claim(MKT, m, RULE_ABLATION));
                }
            }
        }
        if (models.contains(LR)) {
            for (String m : models) {
                if (!m.equals(LR)) {
                    add(out, new Claim(m, LR, RULE_BASELINE));
                }
            }
        }
        return List.copyOf(out.values());
    }

    // The first rule to name a pair keeps it, so each pair is tested once.
    private static void add(Map<String, Claim> claims, Claim c) {
        claims.putIfAbsent(c.a() + "\u0000" + c.b(), c);
    }

    /** Each claim of {@link #claims} among the evaluated models, tested on AUC and then on GAUC. */
    public List<PairedDifference> pairedDifferences() {
        Map<String, List<OfflineEvaluation.Result>> byModel = byModel();
        List<PairedDifference> out = new ArrayList<>();
        for (Claim c : claims(byModel.keySet())) {
            for (Metric metric : Metric.values()) {
                out.add(PairedDifference.of(c, metric, bySeed(byModel.get(c.a()), metric),
                        bySeed(byModel.get(c.b()), metric)));
            }
        }
        return out;
    }

    // A seed without a value (NaN GAUC) drops out of that metric's pairs only. One result per model and seed is
    // expected; should one repeat, the first counts.
    private static Map<Long, Double> bySeed(List<OfflineEvaluation.Result> rs, Metric metric) {
        Map<Long, Double> out = new TreeMap<>();
        for (OfflineEvaluation.Result r : rs) {
            double v = metric.value.applyAsDouble(r);
            if (Double.isFinite(v)) {
                out.putIfAbsent(r.seed(), v);
            }
        }
        return out;
    }

    /** Fixed-width table of target-domain metrics, mean ± std over seeds; external peers last. */
    public String table() {
        int w = labelWidth(14);
        StringBuilder out = new StringBuilder();
        String row = "%-" + w + "s %-17s %-17s %-17s %5s %8s%n";
        out.append(String.format(Locale.ROOT, row, "model", "target AUC", "target GAUC", "target log-loss", "seeds",
                "n"));
        for (Summary s : summaries()) {
            out.append(String.format(Locale.ROOT, row, s.model(), s.auc().format(), s.gauc().format(),
                    s.logLoss().format(), s.seeds(), s.n()));
        }
        for (Peer p : peers) {
            out.append(String.format(Locale.ROOT, row, peerLabel(p), plain(p.auc()), plain(p.gauc()), "—", "—", "—"));
        }
        return out.toString();
    }

    /**
     * Fixed-width table of {@link #pairedDifferences}, for the console; empty when the models make no claim, so a
     * caller may print it unconditionally.
     */
    public String pairsTable() {
        List<PairedDifference> pairs = pairedDifferences();
        if (pairs.isEmpty()) {
            return "";
        }
        int w = Math.max(24, pairs.stream().mapToInt(p -> pairLabel(p.claim()).length()).max().orElse(0) + 1);
        String row = "%-" + w + "s %-6s %9s %8s %8s %3s  %s%n";
        StringBuilder out = new StringBuilder("paired differences A − B over seeds (holds: mean > 2 SE, n >= 2)\n");
        out.append(String.format(Locale.ROOT, row, "A − B", "metric", "mean", "std", "SE", "n", "holds"));
        for (PairedDifference p : pairs) {
            out.append(String.format(Locale.ROOT, row, pairLabel(p.claim()), p.metric(), signed(p.mean()),
                    diff(p.std()), diff(p.se()), p.n(), p.holdsText()));
        }
        return out.toString();
    }

    /** Writes results.csv, pairs.csv, results.md and results.png into {@code dir}. */
    public void write(Path dir, String title) {
        try {
            Files.createDirectories(dir);
            // results.csv keeps its columns: scripts read it; the pairs go to their own file.
            StringBuilder csv = new StringBuilder("model,seed,domain,auc,gauc,logloss,n\n");
            for (OfflineEvaluation.Result r : results) {
                csv.append(String.format(Locale.ROOT, "%s,%d,%s,%s,%s,%s,%d%n", r.model(), r.seed(),
                        r.domain().name().toLowerCase(Locale.ROOT), number(r.auc()), number(r.gauc()),
                        number(r.logLoss()), r.n()));
            }
            Files.writeString(dir.resolve("results.csv"), csv);
            Files.writeString(dir.resolve("pairs.csv"), pairsCsv());
            Files.writeString(dir.resolve("results.md"), markdown(title));
            ImageIO.write(chart(title), "png", dir.resolve("results.png").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the report to " + dir, e);
        }
    }

    String pairsCsv() {
        StringBuilder csv = new StringBuilder("a,b,metric,mean,std,se,n,holds,claim\n");
        for (PairedDifference p : pairedDifferences()) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%s,%s,%d,%b,%s%n", p.claim().a(), p.claim().b(),
                    p.metric().name().toLowerCase(Locale.ROOT), number(p.mean()), number(p.std()), number(p.se()),
                    p.n(), p.holds(), p.claim().rule()));
        }
        return csv.toString();
    }

    String markdown(String title) {
        StringBuilder md = new StringBuilder("# " + title + "\n\n");
        md.append("Target-domain test metrics, mean ± standard deviation over seeds.\n\n");
        md.append("| model | AUC | GAUC | log-loss | seeds | test rows |\n|---|---|---|---|---|---|\n");
        for (Summary s : summaries()) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %d |%n", s.model(), s.auc().format(),
                    s.gauc().format(), s.logLoss().format(), s.seeds(), s.n()));
        }
        for (Peer p : peers) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | — | — | — |%n", peerLabel(p), plain(p.auc()),
                    plain(p.gauc())));
        }
        if (!peers.isEmpty()) {
            md.append("\nRows marked external are figures from outside this run: no spread over seeds, not paired.\n");
        }
        md.append("\n![target AUC by model](results.png)\n");
        md.append("\n## Paired differences\n\n");
        List<PairedDifference> pairs = pairedDifferences();
        if (pairs.isEmpty()) {
            md.append("These models make no claim to test (see the rules in EvaluationReport.claims).\n");
        } else {
            md.append("| A − B | metric | mean | std | SE | n | holds (> 2 SE) |\n|---|---|---|---|---|---|---|\n");
            for (PairedDifference p : pairs) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %d | %s |%n", pairLabel(p.claim()),
                        p.metric(), signed(p.mean()), diff(p.std()), diff(p.se()), p.n(), p.holdsText()));
            }
            md.append("\nPer seed s, d = metric(A, s) − metric(B, s), both models having seen the same rows in the "
                    + "same order from the same initial shared weights; n counts the seeds where both have a value, "
                    + "SE = std/√n, and A > B holds when mean > 2·SE with n ≥ 2, a rough one-sided paired test "
                    + "that is lenient with few seeds.\n");
        }
        if (!training.isEmpty()) {
            appendStages(md);
        }
        return md.toString();
    }

    private void appendStages(StringBuilder md) {
        md.append("\n## Validation curve / epochs\n\n");
        md.append("Epochs each training stage ran and where its kept weights were taken (1.25 = a quarter into the "
                + "second epoch), mean over seeds; the curve is the validation AUC after each validation check of "
                + "seed 1 (a stage checks a fixed number of times per epoch).\n\n");
        md.append("| model | stage | seeds | epochs run | best epoch | validation AUC (seed 1) |\n"
                + "|---|---|---|---|---|---|\n");
        // Evaluated models in table order first; logs of a model without results still show.
        LinkedHashSet<String> models = new LinkedHashSet<>(modelNames());
        training.forEach(t -> models.add(t.model()));
        for (String model : models) {
            // stage -> seed -> that seed's log of the stage
            Map<String, Map<Long, StageLog>> byStage = new LinkedHashMap<>();
            for (OfflineEvaluation.Training t : training) {
                if (t.model().equals(model)) {
                    t.stages().forEach(l -> byStage.computeIfAbsent(l.stage(), k -> new TreeMap<>())
                            .putIfAbsent(t.seed(), l));
                }
            }
            byStage.forEach((stage, bySeed) -> {
                long curveSeed = bySeed.containsKey(1L) ? 1L : bySeed.keySet().iterator().next();
                String points = Arrays.stream(bySeed.get(curveSeed).validationAuc()).mapToObj(EvaluationReport::plain)
                        .collect(Collectors.joining(", "));
                if (curveSeed != 1) {
                    points = "seed " + curveSeed + ": " + points;
                }
                md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %s |%n", model, stage,
                        bySeed.size(), bySeed.values().stream().mapToDouble(StageLog::epochs).average().orElseThrow(),
                        bySeed.values().stream().mapToDouble(StageLog::bestEpoch).average().orElseThrow(),
                        points.isEmpty() ? "—" : points));
            });
        }
    }

    private int labelWidth(int min) {
        int w = min;
        for (Summary s : summaries()) {
            w = Math.max(w, s.model().length() + 1);
        }
        for (Peer p : peers) {
            w = Math.max(w, peerLabel(p).length() + 1);
        }
        return w;
    }

    private static String peerLabel(Peer p) {
        return p.name() + " (external)";
    }

    private static String pairLabel(Claim c) {
        return c.a() + " − " + c.b();
    }

    private static String plain(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    // Differences between models are often a few 1e-4, so they get one digit more than the metrics.
    private static String signed(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%+.5f", v);
    }

    private static String diff(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.5f", v);
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

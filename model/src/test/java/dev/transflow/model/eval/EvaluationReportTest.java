package dev.transflow.model.eval;

import dev.transflow.model.eval.EvaluationReport.Claim;
import dev.transflow.model.eval.EvaluationReport.Metric;
import dev.transflow.model.eval.EvaluationReport.PairedDifference;
import dev.transflow.model.train.StageLog;
import dev.transflow.schemas.Domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

class EvaluationReportTest {

    // The only place that builds a Result, so a change of its fields is fixed here once.
    private static OfflineEvaluation.Result result(String model, long seed, double auc, double gauc) {
        return new OfflineEvaluation.Result(model, seed, Domain.TARGET, auc, gauc, 0.45, 100, 1.0);
    }

    /** mkt beats finetune by 0.01, 0.02, 0.03 AUC and by 0.01, -0.01, 0.03 GAUC over seeds 1..3. */
    private static List<OfflineEvaluation.Result> threeSeeds() {
        List<OfflineEvaluation.Result> rs = new ArrayList<>();
        double[] mktAuc = {0.71, 0.72, 0.73};
        double[] mktGauc = {0.61, 0.59, 0.63};
        for (int s = 1; s <= 3; s++) {
            rs.add(result("finetune", s, 0.70, 0.60));
            rs.add(result("mkt", s, mktAuc[s - 1], mktGauc[s - 1]));
        }
        return rs;
    }

    private static PairedDifference pair(EvaluationReport report, String a, String b, Metric metric) {
        return report.pairedDifferences().stream()
                .filter(p -> p.claim().a().equals(a) && p.claim().b().equals(b) && p.metric() == metric)
                .findFirst().orElseThrow(() -> new AssertionError("no pair " + a + " − " + b + " " + metric));
    }

    @Test
    void pairedDifferenceMatchesHandComputedMeanStdAndStandardError() {
        EvaluationReport report = new EvaluationReport(threeSeeds());

        PairedDifference auc = pair(report, "mkt", "finetune", Metric.AUC);
        assertThat(auc.n()).isEqualTo(3);
        assertThat(auc.mean()).isCloseTo(0.02, within(1e-12));
        assertThat(auc.std()).isCloseTo(0.01, within(1e-12));
        assertThat(auc.se()).isCloseTo(0.01 / Math.sqrt(3), within(1e-12));
        assertThat(auc.holds()).as("0.02 > 2 × 0.00577").isTrue();

        PairedDifference gauc = pair(report, "mkt", "finetune", Metric.GAUC);
        assertThat(gauc.n()).isEqualTo(3);
        assertThat(gauc.mean()).isCloseTo(0.01, within(1e-12));
        assertThat(gauc.std()).isCloseTo(0.02, within(1e-12));
        assertThat(gauc.se()).isCloseTo(0.02 / Math.sqrt(3), within(1e-12));
        assertThat(gauc.holds()).as("0.01 < 2 × 0.01155").isFalse();
        assertThat(report.pairedDifferences()).extracting(PairedDifference::metric)
                .containsExactly(Metric.AUC, Metric.GAUC);
    }

    @Test
    void holdsNeedsMoreThanTwoStandardErrorsAndTwoSeeds() {
        Claim c = new Claim("mkt", "finetune", "paper order");

        assertThat(new PairedDifference(c, Metric.AUC, 3, 0.02, 0.01, 0.01).holds()).as("equal is not more").isFalse();
        assertThat(new PairedDifference(c, Metric.AUC, 3, 0.0201, 0.01, 0.01).holds()).isTrue();
        assertThat(new PairedDifference(c, Metric.AUC, 3, -0.05, 0.01, 0.001).holds()).as("B better").isFalse();
        assertThat(new PairedDifference(c, Metric.AUC, 2, 0.02, 0.0, 0.0).holds()).as("constant gain").isTrue();
        assertThat(new PairedDifference(c, Metric.AUC, 1, 0.5, 0.0, 0.0).holds()).as("one seed").isFalse();
    }

    @Test
    void claimsFollowThePaperOrderAblationsAndTheLrBaseline() {
        List<Claim> claims = EvaluationReport.claims(List.of("lr", "mlp", "shared-bottom", "mmoe", "finetune", "mkt",
                "mkt-no-hfa", "mkt-no-pdl"));

        assertThat(claims).extracting(Claim::a, Claim::b, Claim::rule).containsExactly(
                tuple("mmoe", "mlp", "paper order"),
                tuple("finetune", "mmoe", "paper order"),
                tuple("mkt", "finetune", "paper order"),
                tuple("mkt", "mkt-no-hfa", "ablation"),
                tuple("mkt", "mkt-no-pdl", "ablation"),
                tuple("mlp", "lr", "baseline"),
                tuple("shared-bottom", "lr", "baseline"),
                tuple("mmoe", "lr", "baseline"),
                tuple("finetune", "lr", "baseline"),
                tuple("mkt", "lr", "baseline"),
                tuple("mkt-no-hfa", "lr", "baseline"),
                tuple("mkt-no-pdl", "lr", "baseline"));
    }

    @Test
    void dinIsTheSingleDomainDeepModelAndMissingStepsAreBridged() {
        assertThat(EvaluationReport.claims(List.of("mlp", "din", "mmoe", "deepfm")))
                .extracting(Claim::a, Claim::b).containsExactly(tuple("mmoe", "din"));
        assertThat(EvaluationReport.claims(List.of("mlp", "finetune", "mkt-no-tem")))
                .as("no mmoe: finetune against mlp; no mkt: no ablation claim")
                .extracting(Claim::a, Claim::b).containsExactly(tuple("finetune", "mlp"));
        assertThat(EvaluationReport.claims(List.of("deepfm", "dcn", "lr")))
                .extracting(Claim::a, Claim::b).containsExactly(tuple("deepfm", "lr"), tuple("dcn", "lr"));
        assertThat(EvaluationReport.claims(List.of("mlp", "shared-bottom"))).isEmpty();
        assertThat(EvaluationReport.claims(List.of("lr"))).isEmpty();
    }

    @Test
    void seedsPairOnlyWhereBothModelsHaveAValue() {
        List<OfflineEvaluation.Result> rs = new ArrayList<>(List.of(
                result("finetune", 1, 0.70, 0.60), result("finetune", 2, 0.70, 0.60), result("finetune", 4, 0.70, 0.60),
                result("mkt", 1, 0.72, Double.NaN), result("mkt", 2, 0.73, 0.62), result("mkt", 3, 0.99, 0.99),
                result("lr", 1, 0.65, Double.NaN), result("lr", 2, 0.66, Double.NaN)));
        EvaluationReport report = new EvaluationReport(rs);

        PairedDifference auc = pair(report, "mkt", "finetune", Metric.AUC);
        assertThat(auc.n()).as("seeds 1 and 2 only").isEqualTo(2);
        assertThat(auc.mean()).isCloseTo(0.025, within(1e-12));
        PairedDifference gauc = pair(report, "mkt", "finetune", Metric.GAUC);
        assertThat(gauc.n()).as("seed 1 has no GAUC for mkt").isEqualTo(1);
        assertThat(gauc.mean()).isCloseTo(0.02, within(1e-12));
        assertThat(gauc.std()).isNaN();
        assertThat(gauc.holds()).isFalse();
        PairedDifference none = pair(report, "mkt", "lr", Metric.GAUC);
        assertThat(none.n()).isZero();
        assertThat(none.mean()).isNaN();
        assertThat(none.holds()).isFalse();

        String md = report.markdown("t");
        assertThat(md).contains("| mkt − finetune | GAUC | +0.02000 | n/a | n/a | 1 | n < 2 |")
                .contains("| mkt − lr | GAUC | n/a | n/a | n/a | 0 | n < 2 |")
                .contains("| lr | 0.6550 ± 0.0071 | n/a |");
        assertThat(report.pairsCsv()).contains("mkt,lr,gauc,,,,0,false,baseline\n");
        assertThat(report.table()).doesNotContain("NaN");
    }

    @Test
    void writesTheTablesPairsCsvAndKeepsResultsCsvColumns(@TempDir Path dir) throws IOException {
        EvaluationReport report = new EvaluationReport(threeSeeds()).withPeer("sklearn-lr", 0.7, 0.65);

        report.write(dir, "Test run");

        String md = Files.readString(dir.resolve("results.md"));
        assertThat(md).startsWith("# Test run\n")
                .contains("| model | AUC | GAUC | log-loss | seeds | test rows |")
                .contains("| mkt | 0.7200 ± 0.0100 | 0.6100 ± 0.0200 | 0.4500 ± 0.0000 | 3 | 100 |")
                .contains("| sklearn-lr (external) | 0.7000 | 0.6500 | — | — | — |")
                .contains("## Paired differences")
                .contains("| A − B | metric | mean | std | SE | n | holds (> 2 SE) |")
                .contains("| mkt − finetune | AUC | +0.02000 | 0.01000 | 0.00577 | 3 | yes |")
                .contains("| mkt − finetune | GAUC | +0.01000 | 0.02000 | 0.01155 | 3 | no |")
                .contains("A > B holds when mean > 2·SE with n ≥ 2")
                .doesNotContain("sklearn-lr −")
                .doesNotContain("Validation curve");
        assertThat(md.indexOf("## Paired differences")).isGreaterThan(md.indexOf("| mkt | 0.7200"));
        assertThat(Files.readAllLines(dir.resolve("results.csv"))).hasSize(7)
                .first().isEqualTo("model,seed,domain,auc,gauc,logloss,n");
        assertThat(Files.readAllLines(dir.resolve("pairs.csv"))).containsExactly(
                "a,b,metric,mean,std,se,n,holds,claim",
                "mkt,finetune,auc,0.020000,0.010000,0.005774,3,true,paper order",
                "mkt,finetune,gauc,0.010000,0.020000,0.011547,3,false,paper order");
        assertThat(dir.resolve("results.png")).isNotEmptyFile();
    }

    @Test
    void validationSectionListsEpochsPerStageAndTheSeedOneCurve() {
        EvaluationReport report = new EvaluationReport(threeSeeds());
        report.addTraining(List.of(
                new OfflineEvaluation.Training("mkt", 2, List.of(
                        new StageLog("pretrain", 5, 4, new double[] {0.60, 0.61, 0.62, 0.63, 0.62}))),
                new OfflineEvaluation.Training("mkt", 1, List.of(
                        new StageLog("pretrain", 3, 2, new double[] {0.70, 0.71, 0.705}),
                        new StageLog("target", 2, 2, new double[] {0.72, 0.73}))),
                new OfflineEvaluation.Training("finetune", 3, List.of(
                        new StageLog("target", 1, 1, new double[] {0.69})))));

        String md = report.markdown("t");

        assertThat(md).contains("## Validation curve / epochs")
                .contains("| model | stage | seeds | epochs run | best epoch | validation AUC (seed 1) |")
                .contains("| mkt | pretrain | 2 | 4.00 | 3.00 | 0.7000, 0.7100, 0.7050 |")
                .contains("| mkt | target | 1 | 2.00 | 2.00 | 0.7200, 0.7300 |")
                .contains("| finetune | target | 1 | 1.00 | 1.00 | seed 3: 0.6900 |");
        assertThat(md.indexOf("| finetune | target")).as("table order").isLessThan(md.indexOf("| mkt | pretrain"));
    }

    @Test
    void consolePairsTableHasOneLinePerPairOrNothing() {
        String table = new EvaluationReport(threeSeeds()).pairsTable();

        assertThat(table.lines()).hasSize(4);
        assertThat(table.lines().filter(l -> l.startsWith("mkt − finetune")))
                .anySatisfy(l -> assertThat(l).matches("mkt − finetune +AUC +\\+0\\.02000 +0\\.01000 +0\\.00577 +3 +yes"))
                .anySatisfy(l -> assertThat(l).matches("mkt − finetune +GAUC +\\+0\\.01000 +0\\.02000 +0\\.01155 +3 +no"));
        assertThat(new EvaluationReport(List.of(result("mlp", 1, 0.7, 0.6))).pairsTable()).isEmpty();
    }

    @Test
    void peerRowsAreExternalAndNamesStayUnique() {
        EvaluationReport report = new EvaluationReport(threeSeeds()).withPeer("sklearn-lr", 0.7, Double.NaN);

        assertThat(report.table()).containsPattern("sklearn-lr \\(external\\) +0\\.7000 +n/a +— +— +—");
        assertThat(report.pairedDifferences()).extracting(p -> p.claim().b()).containsOnly("finetune");
        assertThatThrownBy(() -> report.withPeer("mkt", 0.7, 0.6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'mkt'");
        assertThatThrownBy(() -> report.withPeer("sklearn-lr", 0.7, 0.6)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stageLogKeepsItsOwnCopyOfTheCurve() {
        double[] curve = {0.7, 0.8};
        StageLog log = new StageLog("target", 2, 2, curve);
        curve[0] = 0.1;
        log.validationAuc()[1] = 0.1;

        assertThat(log.validationAuc()).containsExactly(0.7, 0.8);
        assertThat(log).isEqualTo(new StageLog("target", 2, 2, new double[] {0.7, 0.8}));
        assertThat(new StageLog("target", 0, 0, null).validationAuc()).isEmpty();
    }
}

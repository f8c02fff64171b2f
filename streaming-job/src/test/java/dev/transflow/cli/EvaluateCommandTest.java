package dev.transflow.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EvaluateCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = TransflowCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void writesTheTableTheReportAndPredictions(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("world");
        assertThat(run("simulate", "--seed", "5", "--impressions", "30000", "--out", data.toString())).isZero();

        int code = run("evaluate", "--source", data.resolve("source.csv").toString(), "--target",
                data.resolve("target.csv").toString(), "--models", "mlp,mkt", "--seeds", "2", "--report",
                dir.resolve("report").toString(), "--predictions-out", dir.resolve("predictions").toString());

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("target AUC").containsPattern("mlp +0\\.\\d{4} ± 0\\.\\d{4}")
                .containsPattern("mkt +0\\.\\d{4} ± 0\\.\\d{4}");
        List<String> csv = Files.readAllLines(dir.resolve("report").resolve("results.csv"));
        assertThat(csv.get(0)).isEqualTo("model,seed,domain,auc,gauc,logloss,n");
        assertThat(csv).hasSize(1 + 2 * 2);
        assertThat(csv.get(1)).startsWith("mlp,1,target,");
        assertThat(csv.get(4)).startsWith("mkt,2,target,");
        assertThat(dir.resolve("report").resolve("results.md")).content().contains("| mkt |");
        assertThat(Files.size(dir.resolve("report").resolve("results.png"))).isGreaterThan(1_000);
        List<String> predictions = Files.readAllLines(dir.resolve("predictions").resolve("mkt-seed2.csv"));
        assertThat(predictions.get(0)).isEqualTo("user_id,label,score");
        String n = csv.get(1).substring(csv.get(1).lastIndexOf(',') + 1);
        assertThat(predictions).hasSize(1 + Integer.parseInt(n));
        assertThat(predictions.get(1)).matches("u\\d+,[01],0\\.\\d{6}");
    }

    @Test
    void badInputIsNamed(@TempDir Path dir) throws IOException {
        Path noLabel = Files.writeString(dir.resolve("t.csv"), "timestamp,user_id,item_id\n1,u,i\n");
        Path nan = Files.writeString(dir.resolve("s.csv"),
                "timestamp,user_id,item_id,label,specific.price#num\n1,u,i,0,NaN\n");

        assertThat(run("evaluate", "--source", nan.toString(), "--target", noLabel.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("s.csv:2: column specific.price#num: NaN is not finite");

        assertThat(run("evaluate", "--source", noLabel.toString(), "--target", noLabel.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("t.csv:1: the header lacks the required column(s) [label]");

        assertThat(run("evaluate", "--source", nan.toString(), "--target", nan.toString(), "--models", "xgboost"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("Unknown model 'xgboost'");

        Path schema = Files.writeString(dir.resolve("schema.json"), "{\"features\": [{\"name\": \"user_id\", "
                + "\"group\": \"person\"}]}");
        Path ok = Files.writeString(dir.resolve("ok.csv"), "timestamp,user_id,item_id,label\n1,u,i,0\n2,u,i,1\n");
        assertThat(run("evaluate", "--source", ok.toString(), "--target", ok.toString(), "--schema",
                schema.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("schema.json: feature user_id has group \"person\"");

        Path typo = Files.writeString(dir.resolve("typo.json"), "{\"features\": ["
                + "{\"name\": \"user_id\", \"group\": \"user\"}, {\"name\": \"item_id\", \"group\": \"shared\"},"
                + "{\"name\": \"catgory\", \"group\": \"shared\"}]}");
        assertThat(run("evaluate", "--source", ok.toString(), "--target", ok.toString(), "--schema",
                typo.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("names categorical feature 'catgory'")
                .contains("has no column shared.catgory").contains("Fix the name");
    }
}

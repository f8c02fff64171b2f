package dev.transflow.cli;

import dev.transflow.model.registry.ModelOption;
import dev.transflow.model.registry.ModelOptions;
import dev.transflow.model.registry.ModelRegistry;
import dev.transflow.model.registry.OptionValues;
import dev.transflow.model.train.ModelConfig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    @Test
    void aModelsOwnSettingReachesThatModelOnly() {
        OptionValues options = parse("--set", "model.mkt.dropout=0.3");

        assertThat(options.config("mkt").dropout()).isEqualTo(0.3f);
        for (String other : List.of("mkt-no-hfa", "mkt-no-pdl", "mlp", "finetune")) {
            assertThat(options.config(other).dropout()).as(other).isZero();
        }

        OptionValues both = parse("--dropout", "0.1", "--set", "model.mkt.dropout=0.3");
        assertThat(both.config("mkt").dropout()).isEqualTo(0.3f);
        assertThat(both.config("din").dropout()).isEqualTo(0.1f);
    }

    /** A value other than the default for every shorthand flag: one missing here fails the tests below. */
    private static final Map<String, String> EXAMPLES = Map.ofEntries(Map.entry("--target-epochs", "4"),
            Map.entry("--joint-epochs", "3"), Map.entry("--patience", "1"), Map.entry("--validation-fraction", "0"),
            Map.entry("--validations-per-epoch", "2"), Map.entry("--learning-rate", "0.002"),
            Map.entry("--embedding-learning-rate", "0.1"), Map.entry("--embedding-l2", "0"),
            Map.entry("--dense-l2", "1e-5"), Map.entry("--dropout", "0.2"), Map.entry("--target-start", "scratch"),
            Map.entry("--tem-warm-start", "true"), Map.entry("--mem-loss-weighting", "samples"),
            Map.entry("--batch-size", "256"), Map.entry("--threads", "1"));

    @Test
    void everyShorthandFlagIsItsSetKey() {
        assertThat(EvaluateCommand.SHORTHANDS).extracting(EvaluateCommand.Shorthand::flag)
                .containsExactlyInAnyOrderElementsOf(EXAMPLES.keySet());
        List<String> flags = new ArrayList<>();
        List<String> sets = new ArrayList<>();
        for (EvaluateCommand.Shorthand shorthand : EvaluateCommand.SHORTHANDS) {
            String value = EXAMPLES.get(shorthand.flag());
            ModelOption<?> option = shorthand.option();
            String model = ModelRegistry.specs().stream().filter(m -> m.reads(option)).findFirst().orElseThrow()
                    .name();
            ModelConfig flag = parse(shorthand.flag(), value).config(model);
            assertThat(flag).as(shorthand.flag()).usingRecursiveComparison()
                    .isEqualTo(parse("--set", shorthand.key() + "=" + value).config(model));
            assertThat(ModelOptions.get(flag, option)).as(shorthand.flag())
                    .isEqualTo(option.parse(shorthand.key(), value)).isNotEqualTo(option.defaultValue());
            flags.addAll(List.of(shorthand.flag(), value));
            sets.addAll(List.of("--set", shorthand.key() + "=" + value));
        }
        assertThat(parse(flags.toArray(String[]::new)).config("mkt")).usingRecursiveComparison()
                .isEqualTo(parse(sets.toArray(String[]::new)).config("mkt"));
        assertThat(parse().config("mkt")).usingRecursiveComparison().isEqualTo(ModelConfig.defaults());
    }

    @Test
    void theHelpListsEveryShorthand() {
        assertThat(run("evaluate", "--help")).isZero();
        CommandSpec evaluate = TransflowCli.newCommandLine().getSubcommands().get("evaluate").getCommandSpec();
        for (EvaluateCommand.Shorthand shorthand : EvaluateCommand.SHORTHANDS) {
            assertThat(out.toString()).contains(shorthand.flag() + "=" + shorthand.paramLabel());
            assertThat(evaluate.findOption(shorthand.flag()).description())
                    .containsExactly("Same as --set " + shorthand.key() + "=" + shorthand.paramLabel() + ".");
        }
    }

    @Test
    void aMistypedModelOptionIsAUsageErrorNamingTheClosestKey() {
        assertThat(run("evaluate", "--source", "s.csv", "--target", "t.csv", "--set", "model.dropot=0.3"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("Unknown model option 'model.dropot'").contains("'model.dropout'")
                .contains("--list-options");

        assertThat(run("evaluate", "--source", "s.csv", "--target", "t.csv", "--set", "model.mtk.dropout=0.3"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("'model.mkt.dropout'");

        assertThat(run("evaluate", "--source", "s.csv", "--target", "t.csv", "--dropout", "0.1", "--set",
                "model.dropout=0.2")).isEqualTo(2);
        assertThat(err.toString()).contains("model.dropout is set twice");

        assertThat(run("evaluate", "--source", "s.csv", "--target", "t.csv", "--batch-size", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("model.batch-size must be >= 1, got 0");

        assertThat(run("evaluate", "--source", "s.csv", "--target", "t.csv", "--set", "model.dropout")).isEqualTo(2);
        assertThat(err.toString()).contains("--set takes KEY=VALUE (a key, '=', then the value), got "
                + "'model.dropout'");
    }

    @Test
    void listOptionsNeedsNoLogs() {
        assertThat(run("evaluate", "--list-options")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("model.embedding-l2 (float, default 1.0E-4)")
                .contains("model.mem-loss-weighting (samples|domains, default domains)")
                .contains("model.shared-units (int list, default 128,64)").contains("Dropout rate")
                .contains("model.refit (true|false, default false (lr: true))")
                .contains("mkt-no-tem").contains("Reads MEM knowledge");

        assertThat(run("evaluate", "--target", "t.csv")).isEqualTo(2);
        assertThat(err.toString()).contains("--source=FILE");
    }

    private static OptionValues parse(String... args) {
        EvaluateCommand command = new EvaluateCommand();
        new CommandLine(command).parseArgs(args);
        return command.modelOptions();
    }
}

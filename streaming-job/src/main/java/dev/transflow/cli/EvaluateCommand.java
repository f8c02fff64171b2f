package dev.transflow.cli;

import dev.transflow.model.eval.EvaluationReport;
import dev.transflow.model.eval.Models;
import dev.transflow.model.eval.OfflineEvaluation;
import dev.transflow.model.feature.CsvFormatException;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.GenericCsvReader;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.model.train.Optimizer;
import dev.transflow.replay.TenrecReader;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code transflow evaluate}: offline comparison of MKT, its ablations and the baselines on labeled logs. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Train each model on the first part of the logs in time and report target-domain AUC, GAUC "
                + "and log-loss on the rest (mean ± std over seeds).",
                "Models: lr, mlp, deepfm, din, shared-bottom, mmoe, finetune, mkt, mkt-no-hfa, mkt-no-pdl, "
                        + "mkt-no-tem.",
                "Each training stage holds out the last --validation-fraction of its rows in time and runs epochs "
                        + "until the validation AUC stops improving (--patience), keeping its best epoch."})
final class EvaluateCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--source", paramLabel = "FILE", required = true, description = "Source-domain log.")
    Path source;

    @Option(names = "--target", paramLabel = "FILE", required = true, description = "Target-domain log.")
    Path target;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "generic",
            description = "generic or tenrec (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--models", paramLabel = "LIST", split = ",",
            description = "Comma-separated models (default: lr,mlp,deepfm,din,shared-bottom,mmoe,finetune,mkt,"
                    + "mkt-no-hfa,mkt-no-pdl).")
    List<String> models = new ArrayList<>(Models.DEFAULT);

    @Option(names = "--seeds", paramLabel = "N", defaultValue = "1", description = "Seeds 1..N per model (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--split", paramLabel = "FRACTION", defaultValue = "0.8",
            description = "Share of target rows (in time) used for training (default: ${DEFAULT-VALUE}).")
    double split;

    @Option(names = "--schema", paramLabel = "FILE",
            description = "Feature schema (JSON); default: inferred from the CSV headers.")
    Path schemaFile;

    @Option(names = "--report", paramLabel = "DIR", description = "Write results.csv, pairs.csv (paired differences), results.md and results.png.")
    Path report;

    @Option(names = "--predictions-out", paramLabel = "DIR",
            description = "Write <model>-seed<k>.csv (user_id,label,score) for the target test rows.")
    Path predictionsOut;

    @Option(names = "--target-epochs", paramLabel = "N", defaultValue = "10",
            description = "Most epochs of a stage on target rows only (default: ${DEFAULT-VALUE}).")
    int targetEpochs;

    @Option(names = "--joint-epochs", paramLabel = "N", defaultValue = "10",
            description = "Most epochs of a stage with source rows: joint training, MEM and Finetune's "
                    + "pre-training (default: ${DEFAULT-VALUE}).")
    int jointEpochs;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "2",
            description = "Epochs without a better validation AUC before a stage stops (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--validation-fraction", paramLabel = "FRACTION", defaultValue = "0.1",
            description = "Last part (in time) of each stage's training rows held out to pick its epoch; 0 trains "
                    + "exactly the maximum epochs on every row (default: ${DEFAULT-VALUE}).")
    double validationFraction;

    @Option(names = "--validations-per-epoch", paramLabel = "N", defaultValue = "1",
            description = "Validation checks per epoch; the kept weights may come from within an epoch; a "
                    + "validation slice with fewer than 50 clicks is checked once (default: ${DEFAULT-VALUE}).")
    int validationsPerEpoch;

    @Option(names = "--learning-rate", paramLabel = "RATE", defaultValue = "0.001",
            description = "Adam learning rate of dense weights (default: ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(names = "--embedding-learning-rate", paramLabel = "RATE", defaultValue = "0.05",
            description = "AdaGrad learning rate of embedding rows (default: ${DEFAULT-VALUE}).")
    float embeddingLearningRate;

    @Option(names = "--embedding-l2", paramLabel = "WEIGHT", defaultValue = "1e-4",
            description = "L2 weight on the embedding rows a batch reads (default: ${DEFAULT-VALUE}).")
    float embeddingL2;

    @Option(names = "--dense-l2", paramLabel = "WEIGHT", defaultValue = "0",
            description = "L2 weight on dense weight matrices (default: ${DEFAULT-VALUE}).")
    float denseL2;

    @Option(names = "--dropout", paramLabel = "RATE", defaultValue = "0",
            description = "Dropout rate of hidden layers while training (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--tem-warm-start", paramLabel = "BOOL", defaultValue = "false", arity = "1",
            description = "Start MKT's TEM backbone from MEM's instead of random values (default: ${DEFAULT-VALUE}).")
    boolean temWarmStart;

    @Option(names = "--sequence-attributes", paramLabel = "LIST", split = ",",
            description = "Entity-shared features that behaviour-sequence elements carry besides the item id, over"
                    + " the schema's (only category is supported; default: the schema's, none when inferred).")
    List<String> sequenceAttributes;

    @Option(names = "--mem-loss-weighting", paramLabel = "samples|domains", defaultValue = "domains",
            description = "How MEM weighs its domains' click losses: samples (one mean over the mixed batch, MKT eq. 11)"
                    + " or domains (each domain's mean, summed) (default: ${DEFAULT-VALUE}).")
    ModelConfig.MemLossWeighting memLossWeighting;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "512", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "TensorFlow threads; 0 = all cores (default).")
    int threads;

    @Option(names = "--tenrec-label", paramLabel = "COLUMN", defaultValue = "like",
            description = "With --format tenrec: the label column (default: ${DEFAULT-VALUE}).")
    String tenrecLabel;

    @Override
    public Integer call() {
        for (String model : models) {
            if (!Models.ALL.contains(model)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Unknown model '" + model
                        + "'; choose from " + Models.ALL);
            }
        }
        if (seeds < 1 || targetEpochs < 1 || jointEpochs < 1 || batchSize < 1 || threads < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--seeds, --target-epochs, --joint-epochs and --batch-size must be >= 1, --threads >= 0");
        }
        if (!(split > 0 && split < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--split must be in (0, 1), got " + split);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<InteractionRow> sourceRows;
        List<InteractionRow> targetRows;
        try {
            sourceRows = read(source);
            targetRows = read(target);
        } catch (CsvFormatException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        FeatureSchema schema = schemaFile != null ? FeatureSchema.load(schemaFile)
                : FeatureSchema.infer(sourceRows.get(0).layout(), targetRows.get(0).layout(), 1 << 18, 10_000);
        if (sequenceAttributes != null) {
            schema = schema.withSequenceAttributes(sequenceAttributes);
        }
        ModelConfig defaults = ModelConfig.defaults();
        ModelConfig config;
        try {
            config = defaults.with().maxJointEpochs(jointEpochs).maxTargetEpochs(targetEpochs).patience(patience)
                    .validationFraction(validationFraction).validationsPerEpoch(validationsPerEpoch).embeddingL2(embeddingL2).denseL2(denseL2).dropout(dropout)
                    .temWarmStart(temWarmStart).memLossWeighting(memLossWeighting).batchSize(batchSize).threads(threads)
                    .optimizer(new Optimizer.Settings(learningRate, embeddingLearningRate, defaults.optimizer().beta1(),
                            defaults.optimizer().beta2(), defaults.optimizer().epsilon(),
                            defaults.optimizer().initialAccumulator()))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        OfflineEvaluation evaluation = new OfflineEvaluation(schema, config);
        List<OfflineEvaluation.Result> results = evaluation.run(sourceRows, targetRows, models, seeds, split,
                line -> {
                    err.println(line);
                    err.flush();
                }, predictionsOut == null ? null : this::writePredictions);
        EvaluationReport summary = new EvaluationReport(results);
        summary.addTraining(evaluation.training());
        out.print(summary.table());
        out.print(summary.pairsTable());
        if (report != null) {
            summary.write(report, "Transflow evaluate: " + target.getFileName());
            out.println("report: " + report.toAbsolutePath().normalize().resolve("results.md"));
        }
        out.flush();
        return 0;
    }

    private List<InteractionRow> read(Path file) {
        if (format.equals("tenrec")) {
            return TenrecReader.read(file, new TenrecReader.Options(tenrecLabel, 1_767_225_600_000L,
                    Duration.ofDays(7), Map.of(), Set.of()), GenericCsvReader.FAIL);
        }
        if (!format.equals("generic")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format must be generic or tenrec");
        }
        // Offline evaluation must not quietly train on a subset: the first bad row stops it.
        return GenericCsvReader.readAll(file, GenericCsvReader.FAIL);
    }

    private void writePredictions(String model, long seed, List<String> users, float[] labels, float[] scores) {
        try {
            Files.createDirectories(predictionsOut);
            Path file = predictionsOut.resolve(model + "-seed" + seed + ".csv");
            try (BufferedWriter w = Files.newBufferedWriter(file)) {
                w.write("user_id,label,score\n");
                for (int i = 0; i < scores.length; i++) {
                    w.write(users.get(i) + "," + (int) labels[i] + "," + String.format(Locale.ROOT, "%.6f", scores[i])
                            + "\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write predictions to " + predictionsOut, e);
        }
    }
}

package dev.transflow.cli;

import dev.transflow.config.KeyValue;
import dev.transflow.model.eval.EvaluationReport;
import dev.transflow.model.eval.OfflineEvaluation;
import dev.transflow.model.feature.CsvFormatException;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.GenericCsvReader;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.model.registry.ModelOption;
import dev.transflow.model.registry.ModelOptions;
import dev.transflow.model.registry.ModelRegistry;
import dev.transflow.model.registry.ModelSpec;
import dev.transflow.model.registry.OptionValues;
import dev.transflow.replay.TenrecReader;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
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
                        + "until the validation AUC stops improving (--patience), keeping its best epoch.",
                "Model hyper-parameters: --set model.<option>=VALUE for every model, --set "
                        + "model.<model>.<option>=VALUE for one; --list-options lists them."},
        modelTransformer = EvaluateCommand.AddShorthands.class)
final class EvaluateCommand implements Callable<Integer> {

    /**
     * Flags kept from before {@code --set}: {@code --<option> VALUE} is exactly {@code --set model.<option>=VALUE}.
     * {@link AddShorthands} declares them, so that this list is all there is to a shorthand.
     */
    static final List<Shorthand> SHORTHANDS = List.of(
            new Shorthand(ModelOptions.TARGET_EPOCHS, "N"),
            new Shorthand(ModelOptions.JOINT_EPOCHS, "N"),
            new Shorthand(ModelOptions.PATIENCE, "N"),
            new Shorthand(ModelOptions.VALIDATION_FRACTION, "FRACTION"),
            new Shorthand(ModelOptions.VALIDATIONS_PER_EPOCH, "N"),
            new Shorthand(ModelOptions.LEARNING_RATE, "RATE"),
            new Shorthand(ModelOptions.EMBEDDING_LEARNING_RATE, "RATE"),
            new Shorthand(ModelOptions.EMBEDDING_L2, "WEIGHT"),
            new Shorthand(ModelOptions.DENSE_L2, "WEIGHT"),
            new Shorthand(ModelOptions.DROPOUT, "RATE"),
            new Shorthand(ModelOptions.TARGET_START, "scratch|wide|best"),
            new Shorthand(ModelOptions.TEM_WARM_START, "BOOL"),
            new Shorthand(ModelOptions.MEM_LOSS_WEIGHTING, "samples|domains"),
            new Shorthand(ModelOptions.BATCH_SIZE, "N"),
            new Shorthand(ModelOptions.THREADS, "N"));

    /** A shorthand flag, named after its model option. */
    record Shorthand(ModelOption<?> option, String paramLabel) {

        String flag() {
            return "--" + option.key();
        }

        /** The {@code --set} key the flag stands for. */
        String key() {
            return OptionValues.PREFIX + option.key();
        }
    }

    /** Adds an option for each of {@link #SHORTHANDS}; the values are read back through the spec. */
    static final class AddShorthands implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            for (Shorthand shorthand : SHORTHANDS) {
                command.addOption(OptionSpec.builder(shorthand.flag()).type(String.class)
                        .paramLabel(shorthand.paramLabel())
                        .description("Same as --set " + shorthand.key() + "=" + shorthand.paramLabel() + ".")
                        .build());
            }
            return command;
        }
    }

    @Spec
    private CommandSpec spec;

    // Checked in call(), not by picocli: --list-options needs neither.
    @Option(names = "--source", paramLabel = "FILE", description = "Source-domain log (required).")
    Path source;

    @Option(names = "--target", paramLabel = "FILE", description = "Target-domain log (required).")
    Path target;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "generic",
            description = "generic or tenrec (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--models", paramLabel = "LIST", split = ",",
            description = "Comma-separated models (default: lr,mlp,deepfm,din,shared-bottom,mmoe,finetune,mkt,"
                    + "mkt-no-hfa,mkt-no-pdl).")
    List<String> models = new ArrayList<>(ModelRegistry.DEFAULT);

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

    @Option(names = "--set", paramLabel = "model.KEY=VALUE",
            description = "Set a model option: model.<option>=VALUE for every model, model.<model>.<option>=VALUE for "
                    + "one model (wins), e.g. --set model.dropout=0.1 --set model.mkt.pdl-weight=0.02 (repeatable; "
                    + "see --list-options).")
    List<String> settings = new ArrayList<>();

    @Option(names = "--list-options", description = "List the model options with defaults and descriptions, and exit.")
    boolean listOptions;

    @Option(names = "--sequence-attributes", paramLabel = "LIST", split = ",",
            description = "Entity-shared features that behaviour-sequence elements carry besides the item id, over"
                    + " the schema's (only category is supported; default: the schema's, none when inferred).")
    List<String> sequenceAttributes;

    @Option(names = "--tenrec-label", paramLabel = "COLUMN", defaultValue = "like",
            description = "With --format tenrec: the label column (default: ${DEFAULT-VALUE}).")
    String tenrecLabel;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (listOptions) {
            printOptions(out);
            out.flush();
            return 0;
        }
        if (source == null || target == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Missing required options: --source=FILE and --target=FILE");
        }
        for (String model : models) {
            try {
                ModelRegistry.spec(model);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        if (seeds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seeds must be >= 1, got " + seeds);
        }
        if (!(split > 0 && split < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--split must be in (0, 1), got " + split);
        }
        OptionValues options = modelOptions();
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
        OfflineEvaluation evaluation = new OfflineEvaluation(schema, options);
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

    /**
     * The shorthand flags, then every {@code --set}, as one set of model settings: both spellings go through
     * {@link OptionValues#parse}, so they are checked and applied alike.
     */
    OptionValues modelOptions() {
        Map<String, String> values = new LinkedHashMap<>();
        for (Shorthand shorthand : SHORTHANDS) {
            String value = spec.findOption(shorthand.flag()).getValue();
            if (value != null) {
                values.put(shorthand.key(), value);
            }
        }
        for (String setting : settings) {
            KeyValue kv;
            try {
                kv = KeyValue.parse(setting);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            if (values.put(kv.key(), kv.value()) != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), kv.key() + " is set twice (by --set or "
                        + "its shorthand flag)");
            }
        }
        try {
            return OptionValues.parse(values);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage()
                    + " (--list-options lists the model options)");
        }
    }

    /** Every model option and which models read it; also part of {@code transflow config --print-defaults}. */
    static void printOptions(PrintWriter out) {
        out.println("Model options: --set model.<option>=VALUE sets every model, --set model.<model>.<option>=VALUE "
                + "one model (and wins).");
        for (ModelOption<?> option : ModelOptions.all()) {
            out.printf(Locale.ROOT, "  %s%s (%s, default %s)%n      %s%n", OptionValues.PREFIX, option.key(),
                    option.typeName(), defaultText(option), option.description());
        }
        out.println("Models (an option a model does not read cannot be set for it alone):");
        for (ModelSpec model : ModelRegistry.specs()) {
            List<String> unread = new ArrayList<>();
            for (ModelOption<?> option : ModelOptions.all()) {
                if (!model.reads(option)) {
                    unread.add(option.key());
                }
            }
            out.printf(Locale.ROOT, "  %-13s %s%s%s%n", model.name(), model.description(),
                    model.consumes().isEmpty() ? "" : " Reads " + model.consumes().stream().map(Enum::name)
                            .collect(Collectors.joining(", ")) + " knowledge.",
                    unread.isEmpty() ? "" : " Does not read: " + String.join(", ", unread) + ".");
        }
    }

    /** The option's default, and each model's own where it differs, e.g. {@code false (lr: true)}. */
    private static <T> String defaultText(ModelOption<T> option) {
        List<String> own = new ArrayList<>();
        for (ModelSpec model : ModelRegistry.specs()) {
            if (model.defaults().containsKey(option)) {
                own.add(model.name() + ": " + option.format(model.defaultValue(option)));
            }
        }
        return option.format(option.defaultValue()) + (own.isEmpty() ? "" : " (" + String.join(", ", own) + ")");
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

package dev.transflow.model.eval;

import dev.transflow.model.feature.CsvLayout;
import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.FeatureSchemaException;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.metric.PredictionMetrics;
import dev.transflow.model.registry.ModelRegistry;
import dev.transflow.model.registry.OptionValues;
import dev.transflow.model.train.CtrModel;
import dev.transflow.model.train.StageLog;
import dev.transflow.schemas.Domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Trains each model on the first part of the logs in time and scores the rest, as in the MKT paper: the split
 * time is where {@code split} of the target rows lie before it; both domains train on rows before it, and the
 * target rows from it on are the test set.
 */
public final class OfflineEvaluation {

    /** Target-domain test metrics of one model and seed. */
    public record Result(String model, long seed, Domain domain, double auc, double gauc, double logLoss, int n,
            double trainSeconds) {}

    /** What one model's training stages did for one seed. */
    public record Training(String model, long seed, List<StageLog> stages) {}

    /** Receives each model's test predictions: user ids, labels and scores in test-row order. */
    public interface PredictionSink {
        void accept(String model, long seed, List<String> userIds, float[] labels, float[] scores);
    }

    private final FeatureSchema schema;
    private final OptionValues options;
    private final List<Training> training = new ArrayList<>();

    /** @param options the models' hyper-parameters: shared ones and each model's own */
    public OfflineEvaluation(FeatureSchema schema, OptionValues options) {
        this.schema = schema;
        this.options = options;
    }

    public List<Result> run(List<InteractionRow> source, List<InteractionRow> target, List<String> models, int seeds,
            double split, Consumer<String> progress, PredictionSink predictions) {
        if (!(split > 0 && split < 1)) {
            throw new IllegalArgumentException("--split must be in (0, 1), got " + split);
        }
        if (target.isEmpty()) {
            throw new IllegalArgumentException("The target file has no rows to evaluate on");
        }
        requireColumns(source, Domain.SOURCE);
        requireColumns(target, Domain.TARGET);
        SampleEncoder encoder = new SampleEncoder(schema);
        Map<Domain, EncodedSamples> encoded = encoder.encode(source, target);
        EncodedSamples s = encoded.get(Domain.SOURCE);
        EncodedSamples t = encoded.get(Domain.TARGET);
        int targetEnd = (int) Math.floor(t.rows * split);
        if (targetEnd == 0 || targetEnd == t.rows) {
            throw new IllegalArgumentException("A split of " + split + " leaves no training or no test rows of the "
                    + t.rows + " target rows");
        }
        long splitTime = t.timestamps[targetEnd];
        targetEnd = t.firstRowAtOrAfter(splitTime);
        int sourceEnd = s.firstRowAtOrAfter(splitTime);
        progress.accept(String.format(java.util.Locale.ROOT,
                "train: %d source + %d target rows before t=%d; test: %d target rows", sourceEnd, targetEnd, splitTime,
                t.rows - targetEnd));
        List<String> userIds = new ArrayList<>(t.rows - targetEnd);
        for (int r = targetEnd; r < t.rows; r++) {
            userIds.add(t.userId(r));
        }
        float[] labels = java.util.Arrays.copyOfRange(t.labels, targetEnd, t.rows);

        List<Result> results = new ArrayList<>();
        for (int seed = 1; seed <= seeds; seed++) {
            for (String name : models) {
                long started = System.nanoTime();
                float[] scores;
                List<StageLog> stages;
                try (CtrModel model = ModelRegistry.create(name, encoder, options.config(name), seed)) {
                    model.fit(s, sourceEnd, t, targetEnd);
                    scores = model.predict(t, targetEnd, t.rows);
                    stages = model.trainingLog();
                }
                training.add(new Training(name, seed, stages));
                double seconds = (System.nanoTime() - started) / 1e9;
                PredictionMetrics metrics = new PredictionMetrics();
                for (int i = 0; i < scores.length; i++) {
                    metrics.add(scores[i], (int) labels[i], t.users[targetEnd + i]);
                }
                Result result = new Result(name, seed, Domain.TARGET, metrics.auc(), metrics.gauc(), metrics.logLoss(),
                        metrics.count(), seconds);
                results.add(result);
                StringBuilder epochs = new StringBuilder();
                for (StageLog stage : stages) {
                    epochs.append(String.format(java.util.Locale.ROOT, " %s=%s/%s", stage.stage(),
                            epochText(stage.bestEpoch()), epochText(stage.epochs())));
                }
                progress.accept(String.format(java.util.Locale.ROOT,
                        "seed %d %-13s auc=%.4f gauc=%.4f logloss=%.4f (%.1f s; best/epochs%s)", seed, name,
                        result.auc(), result.gauc(), result.logLoss(), seconds, epochs));
                if (predictions != null) {
                    predictions.accept(name, seed, userIds, labels, scores);
                }
            }
        }
        return results;
    }

    /** Every model's and seed's training stages, in the order {@link #run} trained them. */
    public List<Training> training() {
        return List.copyOf(training);
    }

    /** A schema feature that no column of the domain's file carries is a mistake, not a missing value. */
    private void requireColumns(List<InteractionRow> rows, Domain domain) {
        if (rows.isEmpty()) {
            return;
        }
        CsvLayout layout = rows.get(0).layout();
        for (FeatureSchema.Feature f : schema.features()) {
            if (!f.appliesTo(domain) || f.name().equals(FeatureSchema.USER_ID) || f.name().equals(FeatureSchema.ITEM_ID)) {
                continue;
            }
            List<CsvLayout.FeatureColumn> columns = f.kind() == FeatureSchema.Kind.NUMERIC ? layout.numeric()
                    : layout.categorical();
            boolean present = columns.stream().anyMatch(c -> c.group() == f.group() && c.name().equals(f.name()));
            if (!present) {
                String column = f.group().prefix() + "." + f.name()
                        + (f.kind() == FeatureSchema.Kind.NUMERIC ? CsvLayout.NUMERIC_SUFFIX : "");
                throw new FeatureSchemaException("The feature schema names " + f.kind().name().toLowerCase()
                        + " feature '" + f.name() + "' (" + domain.name().toLowerCase() + "), but the "
                        + domain.name().toLowerCase() + " file has no column " + column + "; its columns are "
                        + layout.header() + ". Fix the name in the schema or remove the feature.");
            }
        }
    }

    /** 2 for whole epochs, 1.25 for a quarter into the second. */
    private static String epochText(double epochs) {
        return epochs == Math.rint(epochs) ? Long.toString((long) epochs)
                : String.format(java.util.Locale.ROOT, "%.2f", epochs);
    }
}

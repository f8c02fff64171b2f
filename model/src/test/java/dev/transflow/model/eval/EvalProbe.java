package dev.transflow.model.eval;

import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.GenericCsvReader;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.model.train.ModelConfig;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Scratch entry point for manual runs (not a test). */
public class EvalProbe {
    public static void main(String[] args) {
        List<InteractionRow> s = GenericCsvReader.readAll(Path.of(args[0], "source.csv"), GenericCsvReader.FAIL);
        List<InteractionRow> t = GenericCsvReader.readAll(Path.of(args[0], "target.csv"), GenericCsvReader.FAIL);
        FeatureSchema schema = FeatureSchema.infer(s.get(0).layout(), t.get(0).layout(), 1 << 18, 10_000);
        new OfflineEvaluation(schema, ModelConfig.defaults().withEpochs(Integer.getInteger("je", 1), Integer.getInteger("te", 1))).run(s, t, Arrays.asList(args[1].split(",")), 1, 0.8,
                System.out::println, null);
    }
}

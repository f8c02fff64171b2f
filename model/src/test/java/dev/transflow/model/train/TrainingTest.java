package dev.transflow.model.train;

import dev.transflow.model.TinyWorld;
import dev.transflow.model.baseline.JointModel;
import dev.transflow.model.baseline.LogisticRegressionModel;
import dev.transflow.model.baseline.TargetOnlyModel;
import dev.transflow.model.nn.Backbone;
import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.metric.PredictionMetrics;
import dev.transflow.model.mkt.MktModel;
import dev.transflow.model.mkt.MultiEntityModel;
import dev.transflow.model.mkt.TargetEntityModel;
import dev.transflow.model.nn.EmbeddingTable;
import dev.transflow.model.nn.Net;
import dev.transflow.model.nn.NumericInput;
import dev.transflow.model.registry.ModelRegistry;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.ModelKind;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TrainingTest {

    private static SampleEncoder encoder;
    private static EncodedSamples source;
    private static EncodedSamples target;
    private static int sourceEnd;
    private static int targetEnd;
    private static final ModelConfig CONFIG = ModelConfig.defaults().withFixedEpochs(2, 4).withBatchSize(128);

    @BeforeAll
    static void data() {
        TinyWorld world = new TinyWorld(12_000, 6_000, 1);
        encoder = new SampleEncoder(TinyWorld.schema());
        Map<Domain, EncodedSamples> encoded = encoder.encode(world.source, world.target);
        source = encoded.get(Domain.SOURCE);
        target = encoded.get(Domain.TARGET);
        targetEnd = (int) (target.rows * 0.8);
        sourceEnd = source.firstRowAtOrAfter(target.timestamps[targetEnd]);
    }

    private static double testAuc(CtrModel model) {
        float[] scores = model.predict(target, targetEnd, target.rows);
        PredictionMetrics m = new PredictionMetrics();
        for (int i = 0; i < scores.length; i++) {
            m.add(scores[i], (int) target.labels[targetEnd + i], target.users[targetEnd + i]);
        }
        return m.auc();
    }

    @Test
    void everyModelLearnsTheRule() {
        // Category match and post style explain the clicks; chance is 0.5. Measured after training: 0.72-0.75.
        for (CtrModel model : new CtrModel[] {
                new LogisticRegressionModel("lr", encoder, CONFIG, 1),
                new TargetOnlyModel("mlp", encoder, CONFIG, 1, Backbone.Spec.PLAIN, false),
                new TargetOnlyModel("deepfm", encoder, CONFIG, 1, Backbone.Spec.DEEPFM, false),
                new TargetOnlyModel("din", encoder, CONFIG, 1, Backbone.Spec.FULL, false),
                new TargetOnlyModel("finetune", encoder, CONFIG, 1, Backbone.Spec.FULL, true),
                new JointModel("mmoe", JointModel.Kind.MMOE, encoder, CONFIG, 1),
                new JointModel("shared-bottom", JointModel.Kind.SHARED_BOTTOM, encoder, CONFIG, 1),
                new MktModel("mkt", encoder, CONFIG, 1, MktModel.Settings.FULL)}) {
            try (model) {
                double before = testAuc(model);
                model.fit(source, sourceEnd, target, targetEnd);
                double after = testAuc(model);
                System.out.printf("%s: test AUC %.3f before training, %.3f after%n", model.name(), before, after);
                assertThat(after).as("%s test AUC (before training %.3f)", model.name(), before).isNotNaN().isGreaterThan(0.68);
            }
        }
    }

    @Test
    void memStaysFrozenWhileTemTrains() {
        try (MktModel model = new MktModel("mkt", encoder, CONFIG, 2, MktModel.Settings.FULL)) {
            model.fitMem(source, sourceEnd, target, targetEnd);
            Net net = model.net();
            Map<String, float[]> mem = new java.util.HashMap<>();
            for (Net.Param p : net.params()) {
                if (p.group().equals(MultiEntityModel.GROUP)) {
                    mem.put(p.name(), model.values(p));
                }
            }
            Net.Param temWeight = net.params(TargetEntityModel.GROUP).get(0);
            float[] temBefore = model.values(temWeight);

            model.fitTem(target, targetEnd);

            assertThat(mem).isNotEmpty();
            mem.forEach((name, before) -> {
                Net.Param p = net.params().stream().filter(q -> q.name().equals(name)).findFirst().orElseThrow();
                assertThat(model.values(p)).as(name).containsExactly(before);
            });
            assertThat(model.values(temWeight)).isNotEqualTo(temBefore);
        }
    }

    @Test
    void temWarmStartCopiesMemsBackboneAndNothingElse() {
        try (MktModel model = new MktModel("mkt", encoder, CONFIG, 3, MktModel.Settings.FULL)) {
            model.fitMem(source, sourceEnd, target, targetEnd);
            Net net = model.net();
            Net.Param memTable = param(net, "mem/embeddings");
            Net.Param temTable = param(net, "tem/embeddings");
            Net.Param temMlp = net.params(TargetEntityModel.GROUP).stream()
                    .filter(p -> p.name().startsWith("mlp_bottom")).findFirst().orElseThrow();
            float[] mlpBefore = model.values(temMlp);
            assertThat(model.values(temTable)).isNotEqualTo(model.values(memTable));

            model.warmStartTem();

            assertThat(model.values(temTable)).containsExactly(model.values(memTable));
            assertThat(model.values(param(net, "tem/wide/weights")))
                    .containsExactly(model.values(param(net, "mem/wide/weights")));
            // TEM's own network has no MEM twin: it keeps its initial values.
            assertThat(model.values(temMlp)).containsExactly(mlpBefore);
        }
    }

    private static Net.Param param(Net net, String name) {
        return net.params().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no parameter " + name + " in "
                        + net.params().stream().map(Net.Param::name).toList()));
    }

    @Test
    void onlyTouchedEmbeddingRowsChange() {
        ModelConfig oneStep = ModelConfig.defaults().withFixedEpochs(1, 1).withBatchSize(64);
        try (TargetOnlyModel model = new TargetOnlyModel("din", encoder, oneStep, 3, Backbone.Spec.FULL, false)) {
            EmbeddingTable table = model.net().tables(TargetEntityModel.GROUP).get(0);
            float[] before = model.values(table.param());

            model.fit(source, 0, target, 64); // exactly one batch

            float[] after = model.values(table.param());
            Set<Integer> touched = new HashSet<>();
            int seq = target.layout.sequenceWidth();
            for (int r = 0; r < 64; r++) {
                for (int f = 0; f < target.layout.categoricalWidth(); f++) {
                    touched.add(target.categorical[r * target.layout.categoricalWidth() + f]);
                }
                for (int i = 0; i < seq; i++) {
                    touched.add(target.productSequence[r * seq + i]);
                    touched.add(target.postSequence[r * seq + i]);
                }
            }
            int dim = table.dim();
            int changedRows = 0;
            for (int row = 0; row < before.length / dim; row++) {
                boolean changed = false;
                for (int j = 0; j < dim; j++) {
                    changed |= before[row * dim + j] != after[row * dim + j];
                }
                if (changed) {
                    changedRows++;
                    assertThat(touched).as("row %d changed", row).contains(row);
                }
            }
            assertThat(changedRows).isGreaterThan(50);
        }
    }

    @Test
    void aStageKeepsItsBestEpochAndLogsItsValidationCurve() {
        ModelConfig config = ModelConfig.defaults().with().batchSize(128).maxTargetEpochs(6).patience(2)
                .validationFraction(0.2).validationsPerEpoch(4).targetStart(ModelConfig.TargetStart.SCRATCH).refit(false)
                .build();
        try (TargetOnlyModel model = new TargetOnlyModel("din", encoder, config, 4, Backbone.Spec.FULL, false)) {
            model.fit(source, sourceEnd, target, targetEnd);
            StageLog log = model.trainingLog().get(0);
            assertThat(log.stage()).isEqualTo("target");
            int first = (int) Math.floor(targetEnd * 0.8);
            int validationStart = target.firstRowAtOrAfter(target.timestamps[first]);
            double clicks = 0;
            for (int r = validationStart; r < targetEnd; r++) {
                clicks += target.labels[r];
            }
            // Several checks per epoch only when the slice has clicks enough to tell them apart.
            assertThat(log.checksPerEpoch()).isEqualTo(clicks >= 50 ? 4 : 1);
            assertThat(log.validationAuc()).hasSize(log.checks());
            assertThat(log.bestCheck()).isBetween(1, log.checks());
            double best = java.util.Arrays.stream(log.validationAuc()).max().orElseThrow();
            assertThat(log.validationAuc()[log.bestCheck() - 1]).isEqualTo(best);
            // Stopped early, or ran out of epochs: never more than patience epochs past the best check.
            assertThat(log.epochs() - log.bestEpoch()).isLessThanOrEqualTo(2);

            // The weights in place are the best epoch's: scoring the validation slice again gives its AUC.
            float[] scores = model.predict(target, validationStart, targetEnd);
            PredictionMetrics m = new PredictionMetrics();
            for (int i = 0; i < scores.length; i++) {
                m.add(scores[i], (int) target.labels[validationStart + i], target.users[validationStart + i]);
            }
            assertThat(m.auc()).isCloseTo(best, org.assertj.core.data.Offset.offset(1e-3));
        }
    }

    @Test
    void theBestTargetStartKeepsWhicheverStartValidatesBetter() {
        ModelConfig config = ModelConfig.defaults().with().batchSize(128).maxTargetEpochs(4).patience(1)
                .validationFraction(0.2).targetStart(ModelConfig.TargetStart.BEST).refit(false).build();
        for (long seed : new long[] {1, 2, 3}) {
            try (TargetOnlyModel model = new TargetOnlyModel("deepfm", encoder, config, seed, Backbone.Spec.DEEPFM,
                    false)) {
                model.fit(source, sourceEnd, target, targetEnd);
                List<StageLog> logs = model.trainingLog();
                assertThat(logs).extracting(StageLog::stage).hasSize(3);
                boolean scratchKept = logs.get(0).stage().equals("target");
                assertThat(logs).extracting(StageLog::stage).containsExactly(scratchKept
                        ? new String[] {"target", "wide (not kept)", "target after wide (not kept)"}
                        : new String[] {"target (not kept)", "wide", "target after wide"});
                int first = (int) Math.floor(targetEnd * 0.8);
                int validationStart = target.firstRowAtOrAfter(target.timestamps[first]);
                float[] scores = model.predict(target, validationStart, targetEnd);
                PredictionMetrics m = new PredictionMetrics();
                for (int i = 0; i < scores.length; i++) {
                    m.add(scores[i], (int) target.labels[validationStart + i], target.users[validationStart + i]);
                }
                double scratchBest = java.util.Arrays.stream(logs.get(0).validationAuc()).max().orElseThrow();
                double wideBest = java.util.Arrays.stream(logs.get(2).validationAuc()).max().orElseThrow();
                // The weights in place are the kept path's best; the other path's best checks were no better.
                // (The wide path's start competes too, but its AUC is not in the curve: hence >=, not equal.)
                if (scratchKept) {
                    assertThat(m.auc()).isCloseTo(scratchBest, org.assertj.core.data.Offset.offset(1e-3));
                } else {
                    assertThat(m.auc()).isGreaterThanOrEqualTo(Math.max(scratchBest, wideBest) - 1e-3);
                }
                if (!scratchKept && logs.get(2).bestCheck() > 0) {
                    assertThat(m.auc()).isCloseTo(wideBest, org.assertj.core.data.Offset.offset(1e-3));
                }
            }
        }
    }

    @Test
    void aResidualTemStartsAtMemsPredictionAndNeverValidatesWorse() {
        try (MktModel mkt = new MktModel("mkt", encoder, CONFIG, 6, MktModel.Settings.FULL);
                MktModel memOnly = new MktModel("mkt-no-tem", encoder, CONFIG, 6, MktModel.Settings.NO_TEM)) {
            assertThat(CONFIG.temResidual()).isTrue();
            // Same seed, same MEM weights; TEM adds only its wide term (zero) and FM cross (small random factors).
            float[] a = mkt.predict(target, 0, 2_000);
            float[] b = memOnly.predict(target, 0, 2_000);
            for (int i = 0; i < a.length; i++) {
                assertThat((double) a[i]).as("row %d", i).isCloseTo(b[i], within(2e-3 + 0.05 * b[i]));
            }
        }
        ModelConfig config = ModelConfig.defaults().with().batchSize(128).maxJointEpochs(2).maxTargetEpochs(3)
                .patience(1).validationFraction(0.2).build();
        try (MktModel mkt = new MktModel("mkt", encoder, config, 6, MktModel.Settings.FULL)) {
            mkt.fitMem(source, sourceEnd, target, targetEnd);
            int first = (int) Math.floor(targetEnd * 0.8);
            int validationStart = target.firstRowAtOrAfter(target.timestamps[first]);
            double memAuc = aucOf(mkt.predict(target, validationStart, targetEnd), validationStart);
            mkt.fitTem(target, targetEnd);
            // TEM's stage keeps its start (MEM's prediction) unless a check validates better.
            assertThat(aucOf(mkt.predict(target, validationStart, targetEnd), validationStart))
                    .isGreaterThanOrEqualTo(memAuc - 0.01);
        }
    }

    @Test
    void aRefitTrainsEveryRowForTheChosenEpochsFromTheSameStart() {
        ModelConfig selecting = ModelConfig.defaults().with().batchSize(128).maxTargetEpochs(6).patience(1)
                .validationFraction(0.2).threads(1).refit(true).build();
        try (LogisticRegressionModel refit = new LogisticRegressionModel("lr", encoder, selecting, 3)) {
            refit.fit(source, sourceEnd, target, targetEnd);
            List<StageLog> logs = refit.trainingLog();
            assertThat(logs).extracting(StageLog::stage).containsExactly("target", "target (refit)");
            int chosen = logs.get(0).bestCheck();
            assertThat(logs.get(1).checks()).isEqualTo(chosen);
            assertThat(logs.get(0).checksPerEpoch()).isEqualTo(1);
            // The refit is the model trained from the same initial weights on every row for the chosen epochs.
            try (LogisticRegressionModel fixed = new LogisticRegressionModel("lr", encoder,
                    selecting.withFixedEpochs(1, chosen), 3)) {
                fixed.fit(source, sourceEnd, target, targetEnd);
                assertThat(refit.predict(target, targetEnd, target.rows))
                        .containsExactly(fixed.predict(target, targetEnd, target.rows));
            }
        }
    }

    @Test
    void aRefitReplaysOnlyTheKeptTargetStartAndEveryStageOfMkt() {
        ModelConfig config = ModelConfig.defaults().with().batchSize(128).maxJointEpochs(2).maxTargetEpochs(3)
                .patience(1).validationFraction(0.2).refit(true).build();
        try (TargetOnlyModel deepfm = new TargetOnlyModel("deepfm", encoder, config, 2, Backbone.Spec.DEEPFM, false)) {
            deepfm.fit(source, sourceEnd, target, targetEnd);
            List<StageLog> logs = deepfm.trainingLog();
            assertThat(logs).hasSize(logs.get(0).stage().equals("target") ? 4 : 5);
            List<StageLog> kept = logs.subList(0, 3).stream().filter(l -> !l.stage().endsWith("(not kept)")).toList();
            assertThat(logs.subList(3, logs.size())).extracting(StageLog::stage)
                    .containsExactlyElementsOf(kept.stream().map(l -> l.stage() + " (refit)").toList());
            assertThat(logs.subList(3, logs.size())).extracting(StageLog::checks)
                    .containsExactlyElementsOf(kept.stream().map(StageLog::bestCheck).toList());
        }
        try (MktModel mkt = new MktModel("mkt", encoder, config, 2, MktModel.Settings.FULL)) {
            mkt.fit(source, sourceEnd, target, targetEnd);
            assertThat(mkt.trainingLog()).extracting(StageLog::stage)
                    .containsExactly("mem", "tem", "mem (refit)", "tem (refit)");
            assertThat(testAuc(mkt)).isGreaterThan(0.68);
        }
    }

    @Test
    void withoutAValidationSliceThereIsNothingToRefit() {
        try (LogisticRegressionModel lr = new LogisticRegressionModel("lr", encoder, CONFIG.with().refit(true)
                .build(), 3)) {
            lr.fit(source, sourceEnd, target, targetEnd);
            assertThat(lr.trainingLog()).extracting(StageLog::stage).containsExactly("target");
        }
    }

    private static double aucOf(float[] scores, int from) {
        PredictionMetrics m = new PredictionMetrics();
        for (int i = 0; i < scores.length; i++) {
            m.add(scores[i], (int) target.labels[from + i], target.users[from + i]);
        }
        return m.auc();
    }

    @Test
    void outputBiasStartsAtTheClickRate() {
        try (TargetOnlyModel model = new TargetOnlyModel("din", encoder, CONFIG, 5, Backbone.Spec.FULL, false)) {
            float[] scores = model.predict(target, 0, target.rows);
            double mean = 0;
            for (float p : scores) {
                mean += p / scores.length;
            }
            // Untrained, the model predicts about its prior click rate (1.8%), not 0.5.
            assertThat(mean).isBetween(0.005, 0.06);
        }
    }

    @Test
    void modelsWithTheSameSeedShareTheInitialWeightsOfTheirCommonParts() {
        try (TargetOnlyModel finetune = new TargetOnlyModel("finetune", encoder, CONFIG, 7, Backbone.Spec.FULL, true);
                MktModel mkt = new MktModel("mkt", encoder, CONFIG, 7, MktModel.Settings.FULL);
                MktModel otherSeed = new MktModel("mkt", encoder, CONFIG, 8, MktModel.Settings.FULL)) {
            Net.Param a = finetune.net().tables(TargetEntityModel.GROUP).get(0).param();
            Net.Param b = mkt.net().tables(TargetEntityModel.GROUP).get(0).param();
            Net.Param c = otherSeed.net().tables(TargetEntityModel.GROUP).get(0).param();
            assertThat(a.name()).isEqualTo(b.name());
            assertThat(finetune.values(a)).containsExactly(mkt.values(b));
            assertThat(mkt.values(b)).isNotEqualTo(otherSeed.values(c));
        }
    }

    @Test
    void numericStatisticsComeFromTheTrainingRowsAndMissingValuesStayFinite() {
        try (TargetOnlyModel model = new TargetOnlyModel("finetune", encoder, CONFIG, 6, Backbone.Spec.FULL, true)) {
            model.fit(source, sourceEnd, target, targetEnd);
            NumericInput numeric = model.net().numericInputs().stream()
                    .filter(n -> n.domain() == Domain.SOURCE && n.features() > 0).findFirst().orElseThrow();
            float[][] expected = source.numericStatistics(0, sourceEnd);
            assertThat(model.values(numeric.mean())).containsExactly(expected[0]);
            assertThat(model.values(numeric.std())).containsExactly(expected[1]);
            assertThat(expected[1][0]).isNotEqualTo(1f);

            int nw = source.layout.numericWidth();
            float saved = source.numeric[sourceEnd * nw];
            source.numeric[sourceEnd * nw] = Float.NaN; // a missing price
            try {
                float[] p = model.score(Domain.SOURCE, source, sourceEnd, sourceEnd + 1);
                assertThat(p[0]).isBetween(0f, 1f);
            } finally {
                source.numeric[sourceEnd * nw] = saved;
            }
        }
    }

    @Test
    void continualStepsKeepRunningNumericStatisticsOfTheModuleTheyTrain() {
        try (MktModel model = new MktModel("mkt", encoder, CONFIG, 9, MktModel.Settings.FULL)) {
            NumericInput memSource = model.net().numericInputs().stream().filter(n -> n.domain() == Domain.SOURCE
                    && n.features() > 0 && n.mean().group().equals(MultiEntityModel.GROUP)).findFirst().orElseThrow();
            int sourceRows = 0;
            int targetRows = 0;
            for (int step = 0; step < 12; step++) {
                model.trainMem(source, sourceRows, sourceRows + 256, target, targetRows, targetRows + 64);
                sourceRows += 256;
                targetRows += 64;
            }
            // Twelve merged batches give the statistics of all their rows at once.
            float[][] expected = source.numericStatistics(0, sourceRows);
            double[] present = source.numericMoments(0, sourceRows).count();
            float[] mean = model.values(memSource.mean());
            float[] std = model.values(memSource.std());
            float[] count = model.values(memSource.count());
            for (int f = 0; f < memSource.features(); f++) {
                assertThat(mean[f]).isCloseTo(expected[0][f], within(1e-4f * Math.max(1, Math.abs(expected[0][f]))));
                assertThat(std[f]).isCloseTo(expected[1][f], within(1e-4f * Math.max(1, expected[1][f])));
                assertThat(count[f]).isEqualTo((float) present[f]);
            }
            assertThat(expected[1][0]).isNotEqualTo(1f);

            // TEM steps leave the frozen MEM's statistics alone.
            List<NumericInput> memInputs = model.net().numericInputs().stream()
                    .filter(n -> n.mean().group().equals(MultiEntityModel.GROUP)).toList();
            List<float[]> before = memInputs.stream().map(n -> model.values(n.mean())).toList();
            model.trainTarget(target, targetRows, targetRows + 128);
            for (int i = 0; i < memInputs.size(); i++) {
                assertThat(model.values(memInputs.get(i).mean())).containsExactly(before.get(i));
            }
        }
    }

    /** MEM's parameters by name whose name starts with {@code prefix}. */
    private static Map<String, float[]> memParams(MktModel model, String prefix) {
        Map<String, float[]> out = new HashMap<>();
        for (Net.Param p : model.net().params(MultiEntityModel.GROUP)) {
            if (p.name().startsWith(prefix)) {
                out.put(p.name(), model.values(p));
            }
        }
        return out;
    }

    private static void assertFinite(Map<String, float[]> params) {
        params.forEach((name, values) -> {
            for (float v : values) {
                assertThat(Float.isFinite(v)).as("%s finite", name).isTrue();
            }
        });
    }

    @Test
    void memWeighsItsDomainsPerSampleOrPerDomainAsConfigured() {
        for (ModelConfig.MemLossWeighting weighting : ModelConfig.MemLossWeighting.values()) {
            ModelConfig config = CONFIG.with().memLossWeighting(weighting).build();
            try (MktModel model = (MktModel) ModelRegistry.pretrainer("mkt", ModelKind.MEM, encoder, config, 4)) {
                Session.Runner runner = model.session().runner().fetch(model.mem().loss())
                        .fetch(model.mem().polarization()).fetch(model.mem().logits(Domain.SOURCE))
                        .fetch(model.mem().logits(Domain.TARGET));
                try (var s = model.sourceInputs.feed(runner, source, 0, 300, true);
                        var t = model.targetInputs().feed(runner, target, 0, 60, true);
                        var result = runner.run()) {
                    double sourceSum = bceSum((TFloat32) result.get(2), source, 300);
                    double targetSum = bceSum((TFloat32) result.get(3), target, 60);
                    double clicks = weighting == ModelConfig.MemLossWeighting.SAMPLES
                            ? (sourceSum + targetSum) / 360 // eq. 11 over the mixed batch
                            : sourceSum / 300 + targetSum / 60;
                    double expected = clicks + config.pdlWeight() * ((TFloat32) result.get(1)).getFloat();
                    assertThat((double) ((TFloat32) result.get(0)).getFloat()).as(weighting.name())
                            .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4 * expected));
                }
            }
        }
    }

    /** Summed binary cross-entropy of logits [n, 1] against the first n labels. */
    private static double bceSum(TFloat32 logits, EncodedSamples data, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double x = logits.getFloat(i, 0);
            sum += Math.max(x, 0) - x * data.labels[i] + Math.log1p(Math.exp(-Math.abs(x)));
        }
        return sum;
    }

    @Test
    void aMemStepOnOneDomainAloneTrainsThatDomainAndKeepsEveryWeightFinite() {
        try (MktModel model = (MktModel) ModelRegistry.pretrainer("mkt", ModelKind.MEM, encoder, CONFIG, 4)) {
            Map<String, float[]> targetTower = memParams(model, "tower_target/");
            Map<String, float[]> sourceTower = memParams(model, "tower_source/");
            assertThat(targetTower).isNotEmpty();
            assertThat(sourceTower).isNotEmpty();

            // The loss is defined, not NaN, when a domain brings no rows (its gradients are either way).
            Session.Runner runner = model.session().runner().fetch(model.mem().loss())
                    .fetch(model.mem().polarization());
            try (var s = model.sourceInputs.feed(runner, source, 0, 256, true);
                    var t = model.targetInputs().feed(runner, target, 0, 0, true);
                    var result = runner.run()) {
                assertThat(((TFloat32) result.get(0)).getFloat()).as("loss").isFinite();
                assertThat(((TFloat32) result.get(1)).getFloat()).as("PDL").isFinite();
            }

            for (int s = 0; s < 4 * 256; s += 256) {
                model.trainMem(source, s, s + 256, target, 0, 0);
            }

            assertFinite(memParams(model, ""));
            Map<String, float[]> sourceAfter = memParams(model, "tower_source/");
            assertThat(sourceTower).anySatisfy((name, v) -> assertThat(sourceAfter.get(name)).isNotEqualTo(v));
            // A zero gradient from the first step on: Adam has no momentum to move them with.
            Map<String, float[]> targetAfter = memParams(model, "tower_target/");
            targetTower.forEach((name, v) -> assertThat(targetAfter.get(name)).as(name).containsExactly(v));

            for (int t = 0; t < 4 * 64; t += 64) {
                model.trainMem(source, 0, 0, target, t, t + 64);
            }

            assertFinite(memParams(model, ""));
            Map<String, float[]> targetTrained = memParams(model, "tower_target/");
            assertThat(targetTower).anySatisfy((name, v) -> assertThat(targetTrained.get(name)).isNotEqualTo(v));
            for (float p : model.predict(target, 0, 200)) {
                assertThat(p).isBetween(0f, 1f);
            }
        }
    }

    @Test
    void mergingMomentsEqualsComputingThemAtOnce() {
        double[] a = {1, 2, 4};
        double[] b = {7, 8};
        double[] first = NumericInput.merge(0, 0, 1, 3, 7.0 / 3, sumSquares(a, 7.0 / 3));
        double[] all = NumericInput.merge(first[0], first[1], first[2], 2, 7.5, sumSquares(b, 7.5));
        assertThat(all[0]).isEqualTo(5);
        assertThat(all[1]).isCloseTo(22.0 / 5, within(1e-12));
        double mean = 22.0 / 5;
        double var = (sumSquares(a, mean) + sumSquares(b, mean)) / 4;
        assertThat(all[2]).isCloseTo(Math.sqrt(var), within(1e-12));
        assertThat(NumericInput.merge(NumericInput.RUNNING_HORIZON, 0, 1, 10, 0, 9)[0])
                .isEqualTo(NumericInput.RUNNING_HORIZON);
    }

    private static double sumSquares(double[] xs, double mean) {
        double s = 0;
        for (double x : xs) {
            s += (x - mean) * (x - mean);
        }
        return s;
    }
}

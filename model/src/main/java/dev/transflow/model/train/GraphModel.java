package dev.transflow.model.train;

import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.metric.PredictionMetrics;
import dev.transflow.model.nn.BatchInputs;
import dev.transflow.model.nn.Net;
import dev.transflow.model.nn.NumericInput;
import dev.transflow.schemas.Domain;

import dev.transflow.model.snapshot.ModelSnapshots;
import dev.transflow.model.snapshot.SnapshotStore;
import dev.transflow.schemas.ModelKind;

import org.tensorflow.Graph;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A model that lives in one TensorFlow graph with inputs for a source and a target batch. Subclasses build their
 * network in the constructor, then call {@link #start()}, and train offline in {@link Stage}s: each stage holds
 * out the last {@code validationFraction} of its training window in time, runs epochs over shuffled rows until
 * the validation AUC has not improved for {@code patience} epochs, and keeps its best epoch's weights.
 *
 * <p>This class holds the graph and its training; its state as bytes or files is a {@link ModelCheckpoint}, and
 * its snapshots are written and read by {@link ModelSnapshots}, to which the {@link StreamingModel} methods
 * delegate.
 */
public abstract class GraphModel implements StreamingModel {

    protected final Graph graph = new Graph();
    protected final Net net;
    protected final SampleEncoder encoder;
    protected final ModelConfig config;
    protected final BatchInputs sourceInputs;
    protected final BatchInputs targetInputs;
    protected Session session;
    // Built by start(), once the session exists and the subclass has set its outputs.
    private ModelCheckpoint checkpoint;
    private ModelSnapshots snapshots;
    private final Map<Domain, Operand<TFloat32>> scores = new EnumMap<>(Domain.class);
    private final List<StageLog> trainingLog = new ArrayList<>();
    private final Set<NumericInput> statisticsSet = new HashSet<>();
    /** While {@code fit} selects: what each stage kept, in the order the stages ran. */
    private List<StagePlan> selection;
    /** While {@code fit} refits: the selection replayed, and the next stage's place in it. */
    private List<StagePlan> replay;
    private int replayed;
    private TFloat32 trainingFlag;

    protected GraphModel(SampleEncoder encoder, ModelConfig config, long seed) {
        this.net = new Net(graph, seed);
        this.encoder = encoder;
        this.config = config;
        this.sourceInputs = new BatchInputs(net.tf(), "source", encoder.layout(Domain.SOURCE));
        this.targetInputs = new BatchInputs(net.tf(), "target", encoder.layout(Domain.TARGET));
    }

    public Net net() {
        return net;
    }

    public Session session() {
        return session;
    }

    public BatchInputs targetInputs() {
        return targetInputs;
    }

    /** The target logits; the model's prediction is their sigmoid. */
    protected void setTargetLogits(Operand<TFloat32> logits) {
        setLogits(Domain.TARGET, logits);
    }

    /** A domain's logits, for validation of stages that train on that domain (and, for the target, serving). */
    protected void setLogits(Domain domain, Operand<TFloat32> logits) {
        scores.put(domain, net.tf().withName(domain == Domain.TARGET ? "target_score" : "source_score")
                .math.sigmoid(logits));
    }

    public Operand<TFloat32> targetScore() {
        return output(Domain.TARGET);
    }

    /** The click probabilities of a domain's inputs, as set by {@link #setLogits}; null if there are none. */
    protected Operand<TFloat32> output(Domain domain) {
        return scores.get(domain);
    }

    protected void start() {
        ConfigProto.Builder proto = ConfigProto.newBuilder();
        if (config.threads() > 0) {
            proto.setIntraOpParallelismThreads(config.threads()).setInterOpParallelismThreads(config.threads());
        }
        session = new Session(graph, proto.build());
        net.initialize(session);
        trainingFlag = TFloat32.scalarOf(1f);
        checkpoint = new ModelCheckpoint(session);
        snapshots = new ModelSnapshots(encoder.schema(), net, session, checkpoint, targetInputs, targetScore());
    }

    /**
     * Click rates output biases start from before any training data is seen (the simulator's and Tenrec's
     * rates); offline stages replace them with their training rows' rates.
     */
    protected static final double PRIOR_SOURCE_CLICK_RATE = 0.036;
    protected static final double PRIOR_TARGET_CLICK_RATE = 0.018;

    /** A click output's bias and the domain whose click rate it starts from. */
    public record Head(Domain domain, Net.Param bias) {}

    /**
     * One offline training stage.
     *
     * @param step the training op
     * @param domains the domains it trains on: one, or both for a joint step
     * @param validation the domain whose held-out rows pick the best epoch
     * @param validationScore the click probabilities of that domain's inputs that are validated
     * @param groups the parameter groups the step changes (their weights are kept at the best epoch)
     * @param heads output biases set to the log-odds of their domain's training click rate before the first epoch
     */
    public record Stage(String name, Op step, List<Domain> domains, Domain validation,
            Operand<TFloat32> validationScore, List<String> groups, List<Head> heads, int maxEpochs) {}

    /** Click probabilities of {@code logits}, e.g. a stage's validation output. */
    protected Operand<TFloat32> probabilities(Operand<TFloat32> logits) {
        return net.tf().math.sigmoid(logits);
    }

    /**
     * Trains offline on source rows {@code [0, sourceEnd)} and target rows {@code [0, targetEnd)} by running
     * {@link #train}. With {@link ModelConfig#refit()} the validation slice first chooses each stage's checks (and
     * {@link #runTargetStage}'s start), then every weight returns to its value before training and {@link #train}
     * runs again on every row, slice included, for exactly those checks. All stages choose before any refits, so no
     * stage validates on rows an earlier stage has already trained on (MKT's TEM on MEM's).
     */
    @Override
    public final void fit(EncodedSamples source, int sourceEnd, EncodedSamples target, int targetEnd) {
        if (!config.refit() || config.validationFraction() == 0) {
            train(source, sourceEnd, target, targetEnd);
            return;
        }
        Map<Net.Param, float[]> initial = net.read(session, net.params());
        Set<NumericInput> initialStatistics = Set.copyOf(statisticsSet);
        selection = new ArrayList<>();
        List<StagePlan> chosen;
        try {
            train(source, sourceEnd, target, targetEnd);
            chosen = List.copyOf(selection);
        } finally {
            selection = null;
        }
        if (chosen.stream().noneMatch(StagePlan::validated)) {
            return; // no stage held rows out: the first training already saw every row
        }
        net.assign(session, initial);
        statisticsSet.retainAll(initialStatistics);
        replay = chosen;
        replayed = 0;
        try {
            train(source, sourceEnd, target, targetEnd);
            if (replayed != chosen.size()) {
                throw new IllegalStateException("Refit ran " + replayed + " of the " + chosen.size()
                        + " selected stages: " + getClass().getSimpleName() + ".train must run the same stages "
                        + "every time");
            }
        } finally {
            replay = null;
        }
    }

    /**
     * The offline training of {@link #fit}: a sequence of {@link #runStage} and {@link #runTargetStage} calls that
     * depends only on the data and the configuration, so that a refit can replay it.
     */
    protected abstract void train(EncodedSamples source, int sourceEnd, EncodedSamples target, int targetEnd);

    /** What one stage kept when the validation slice chose: {@code checks} parts of {@code checksPerEpoch}. */
    private record StagePlan(String stage, int checksPerEpoch, int checks, boolean validated, double validationAuc) {}

    /** Epochs, best epoch and validation curve of every stage the last {@code fit} ran. */
    public List<StageLog> trainingLog() {
        return List.copyOf(trainingLog);
    }

    /**
     * Runs {@code stage} on source rows {@code [0, sourceEnd)} and target rows {@code [0, targetEnd)}: the last
     * {@code validationFraction} of the window (in time, by the validation domain's rows) is held out, every epoch
     * trains on the rest in a seeded shuffled order, validation runs {@code validationsPerEpoch} times per epoch, and
     * the weights of the check with the best validation AUC are kept.
     *
     * @return the kept weights' validation AUC; NaN without a validation slice
     */
    protected double runStage(Stage stage, EncodedSamples source, int sourceEnd, EncodedSamples target,
            int targetEnd) {
        return runStage(stage, source, sourceEnd, target, targetEnd, false);
    }

    /**
     * Runs {@code target} from where {@link ModelConfig#targetStart()} says: from the current weights, from the
     * logistic regression inside the network ({@code wide}, a stage that trains the wide term and output bias alone,
     * then {@code target} with {@code deepOutput} at zero, so it starts at that regression and keeps it unless
     * training validates better), or both, keeping the better. In one joint stage the deep part can overfit a
     * sparse target before the wide term has converged (the logistic regression alone needs up to ten epochs); on
     * denser data the joint start learns crosses the fitted start does not: docs/learning-quality.md, session 10.
     */
    protected void runTargetStage(Stage targetStage, Stage wideStage, Net.Param deepOutput, EncodedSamples source,
            int sourceEnd, EncodedSamples target, int targetEnd) {
        ModelConfig.TargetStart start = config.targetStart();
        if (start == ModelConfig.TargetStart.SCRATCH || start == ModelConfig.TargetStart.BEST
                && config.validationFraction() == 0) {
            runStage(targetStage, source, sourceEnd, target, targetEnd);
            return;
        }
        Stage continued = new Stage(targetStage.name() + " after " + wideStage.name(), targetStage.step(),
                targetStage.domains(), targetStage.validation(), targetStage.validationScore(), targetStage.groups(),
                List.of(), targetStage.maxEpochs());
        if (replay != null) {
            // The selection kept one path: the refit runs that one alone.
            if (replayed < replay.size() && replay.get(replayed).stage().equals(targetStage.name())) {
                runStage(targetStage, source, sourceEnd, target, targetEnd);
            } else {
                runStage(wideStage, source, sourceEnd, target, targetEnd);
                zero(deepOutput);
                runStage(continued, source, sourceEnd, target, targetEnd, true);
            }
            return;
        }
        List<Net.Param> trainable = net.params().stream().filter(Net.Param::trainable).toList();
        Map<Net.Param, float[]> initial = null;
        Map<Net.Param, float[]> scratch = null;
        double scratchAuc = Double.NEGATIVE_INFINITY;
        int scratchLogs = 0;
        int scratchPlan = 0;
        if (start == ModelConfig.TargetStart.BEST) {
            // Numeric statistics are not trainable: set by the first path, they stay for the second.
            initial = net.read(session, trainable);
            int before = trainingLog.size();
            scratchPlan = selection == null ? 0 : selection.size();
            scratchAuc = runStage(targetStage, source, sourceEnd, target, targetEnd);
            scratchLogs = trainingLog.size() - before;
            scratch = net.read(session, trainable);
            net.assign(session, initial);
        }
        int fromWide = trainingLog.size();
        int widePlan = selection == null ? 0 : selection.size();
        runStage(wideStage, source, sourceEnd, target, targetEnd);
        zero(deepOutput);
        double wideAuc = runStage(continued, source, sourceEnd, target, targetEnd, true);
        if (scratch != null && !(wideAuc > scratchAuc)) {
            net.assign(session, scratch);
            markUnused(fromWide, trainingLog.size());
            if (selection != null) {
                selection.subList(widePlan, selection.size()).clear();
            }
        } else if (scratch != null) {
            markUnused(fromWide - scratchLogs, fromWide);
            if (selection != null) {
                selection.subList(scratchPlan, widePlan).clear();
            }
        }
    }

    private void markUnused(int from, int to) {
        for (int i = from; i < to; i++) {
            StageLog log = trainingLog.get(i);
            trainingLog.set(i, new StageLog(log.stage() + " (not kept)", log.checksPerEpoch(), log.checks(),
                    log.bestCheck(), log.validationAuc()));
        }
    }

    /** @param keepStart whether the weights before the first epoch compete with every check's */
    protected double runStage(Stage stage, EncodedSamples source, int sourceEnd, EncodedSamples target,
            int targetEnd, boolean keepStart) {
        if (replay != null) {
            return refitStage(stage, source, sourceEnd, target, targetEnd);
        }
        EncodedSamples validationData = stage.validation() == Domain.SOURCE ? source : target;
        int validationEnd = stage.validation() == Domain.SOURCE ? sourceEnd : targetEnd;
        int validationStart = validationEnd;
        if (config.validationFraction() > 0) {
            int first = (int) Math.floor(validationEnd * (1 - config.validationFraction()));
            validationStart = first < validationEnd ? validationData.firstRowAtOrAfter(validationData.timestamps[first])
                    : validationEnd;
            if (validationStart == 0 || validationStart >= validationEnd) {
                validationStart = validationEnd; // too few rows to hold any out: train on all of them
            }
        }
        boolean validate = validationStart < validationEnd;
        long splitTime = validate ? validationData.timestamps[validationStart] : Long.MAX_VALUE;
        int sourceTrain = stage.domains().contains(Domain.SOURCE) ? (validate ? source.firstRowAtOrAfter(splitTime)
                : sourceEnd) : 0;
        int targetTrain = stage.domains().contains(Domain.TARGET) ? (validate ? target.firstRowAtOrAfter(splitTime)
                : targetEnd) : 0;
        prepare(stage, source, sourceEnd, sourceTrain, target, targetEnd, targetTrain);
        List<Net.Param> kept = net.params().stream().filter(p -> stage.groups().contains(p.group())).toList();
        double validationClicks = validate ? validationData.clickRate(validationStart, validationEnd)
                * (validationEnd - validationStart) : 0;
        int checksPerEpoch = validate && validationClicks >= MIN_CLICKS_FOR_CHECKS - 0.5 ? Math.min(config.validationsPerEpoch(),
                batchesPerEpoch(stage, sourceTrain, targetTrain)) : 1;
        int maxChecks = stage.maxEpochs() * checksPerEpoch;
        Map<Net.Param, float[]> best = null;
        double bestAuc = Double.NEGATIVE_INFINITY;
        int bestCheck = 0;
        int check = 0;
        List<Double> curve = new ArrayList<>();
        if (validate && keepStart) {
            bestAuc = validationAuc(stage, validationData, validationStart, validationEnd);
            best = net.read(session, kept);
        }
        epochs:
        for (int epoch = 1; epoch <= stage.maxEpochs(); epoch++) {
            EncodedSamples s = sourceTrain > 0 ? source.rows(order(sourceTrain, "shuffle/source", epoch)) : null;
            EncodedSamples t = targetTrain > 0 ? target.rows(order(targetTrain, "shuffle/target", epoch)) : null;
            if (s == null && t == null) {
                throw new IllegalArgumentException("Stage " + stage.name() + " has no training rows");
            }
            for (int part = 0; part < checksPerEpoch; part++) {
                trainPart(stage.step(), s, t, part, checksPerEpoch);
                check++;
                if (!validate) {
                    bestCheck = check;
                    continue;
                }
                // Deep CTR models often peak within their first epoch (their ID embeddings overfit from the second
                // pass on), so a stage validates several times per epoch rather than only at its end.
                double auc = validationAuc(stage, validationData, validationStart, validationEnd);
                curve.add(auc);
                if (auc > bestAuc) {
                    bestAuc = auc;
                    bestCheck = check;
                    best = check < maxChecks ? net.read(session, kept) : null;
                } else if (check - bestCheck >= config.patience() * checksPerEpoch) {
                    break epochs;
                }
            }
        }
        if (best != null && bestCheck != check) {
            net.assign(session, best);
        }
        trainingLog.add(new StageLog(stage.name(), checksPerEpoch, check, bestCheck,
                curve.stream().mapToDouble(Double::doubleValue).toArray()));
        double auc = validate ? bestAuc : Double.NaN;
        if (selection != null) {
            selection.add(new StagePlan(stage.name(), checksPerEpoch, bestCheck, validate, auc));
        }
        return auc;
    }

    /** Output biases at their training rows' click rate; numeric statistics from the first stage seeing a domain. */
    private void prepare(Stage stage, EncodedSamples source, int sourceEnd, int sourceTrain, EncodedSamples target,
            int targetEnd, int targetTrain) {
        for (Head head : stage.heads()) {
            EncodedSamples data = head.domain() == Domain.SOURCE ? source : target;
            int end = head.domain() == Domain.SOURCE ? (sourceTrain > 0 ? sourceTrain : sourceEnd)
                    : (targetTrain > 0 ? targetTrain : targetEnd);
            initializeBias(head.bias(), data.clickRate(0, end));
        }
        for (NumericInput numeric : net.numericInputs()) {
            // Later stages keep the statistics of the first; standardization must not shift under a trained layer.
            if (numeric.features() > 0 && stage.domains().contains(numeric.domain())
                    && !statisticsSet.contains(numeric)) {
                EncodedSamples data = numeric.domain() == Domain.SOURCE ? source : target;
                int end = numeric.domain() == Domain.SOURCE ? sourceTrain : targetTrain;
                int features = numeric.features();
                net.assign(session, mergedStatistics(numeric, new float[features], new float[features],
                        new float[features], data.numericMoments(0, end)));
                statisticsSet.add(numeric);
            }
        }
    }

    /**
     * The refit of the next selected stage: the same checks, in the same seeded epoch orders, over every row of the
     * window. An epoch over more rows takes more steps; the count of epochs is what the selection chose.
     */
    private double refitStage(Stage stage, EncodedSamples source, int sourceEnd, EncodedSamples target,
            int targetEnd) {
        if (replayed >= replay.size() || !replay.get(replayed).stage().equals(stage.name())) {
            throw new IllegalStateException("Refit reached stage " + stage.name() + " where the selection ran "
                    + (replayed < replay.size() ? replay.get(replayed).stage() : "no more stages") + ": "
                    + getClass().getSimpleName() + ".train must run the same stages every time");
        }
        StagePlan plan = replay.get(replayed++);
        int sourceTrain = stage.domains().contains(Domain.SOURCE) ? sourceEnd : 0;
        int targetTrain = stage.domains().contains(Domain.TARGET) ? targetEnd : 0;
        prepare(stage, source, sourceEnd, sourceTrain, target, targetEnd, targetTrain);
        int perEpoch = plan.checksPerEpoch();
        for (int epoch = 1; (epoch - 1) * perEpoch < plan.checks(); epoch++) {
            EncodedSamples s = sourceTrain > 0 ? source.rows(order(sourceTrain, "shuffle/source", epoch)) : null;
            EncodedSamples t = targetTrain > 0 ? target.rows(order(targetTrain, "shuffle/target", epoch)) : null;
            for (int part = 0; part < perEpoch && (epoch - 1) * perEpoch + part < plan.checks(); part++) {
                trainPart(stage.step(), s, t, part, perEpoch);
            }
        }
        trainingLog.add(new StageLog(stage.name() + " (refit)", perEpoch, plan.checks(), plan.checks(), null));
        return plan.validationAuc();
    }

    /**
     * Below this many clicks in the validation slice a stage validates once per epoch: the AUC of 20 clicks has a
     * standard error near 0.07, so picking the best of several checks would mostly pick noise (measured on the
     * 60k world: every model but MKT lost 0.002 to 0.01 AUC with four checks per epoch on 17 validation clicks).
     */
    static final int MIN_CLICKS_FOR_CHECKS = 50;

    /** Training steps one epoch of a stage takes: batches of the source rows for a joint stage. */
    private int batchesPerEpoch(Stage stage, int sourceRows, int targetRows) {
        int rows = sourceRows > 0 ? sourceRows : targetRows;
        return Math.max(1, (rows + config.batchSize() - 1) / config.batchSize());
    }

    /** Part {@code part} of {@code parts} equal parts (in steps) of one epoch over the shuffled rows. */
    private void trainPart(Op step, EncodedSamples source, EncodedSamples target, int part, int parts) {
        int batch = config.batchSize();
        EncodedSamples main = source != null ? source : target;
        int steps = (main.rows + batch - 1) / batch;
        int first = (int) ((long) steps * part / parts);
        int last = (int) ((long) steps * (part + 1) / parts);
        if (source != null && target != null) {
            trainJoint(step, source, target, first, last);
        } else {
            trainRange(step, source != null ? sourceInputs : targetInputs, main, first * batch,
                    Math.min(main.rows, last * batch));
        }
    }

    /**
     * A permutation of {@code [0, n)} for one epoch. It depends only on the seed, the stream and the epoch, so
     * every model trained with the same seed sees the rows in the same order.
     */
    private int[] order(int n, String stream, int epoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = net.random(stream + "/" + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    private double validationAuc(Stage stage, EncodedSamples data, int from, int to) {
        float[] predicted = score(stage.validationScore(), stage.validation(), data, from, to);
        PredictionMetrics metrics = new PredictionMetrics();
        for (int i = 0; i < predicted.length; i++) {
            metrics.add(predicted[i], (int) data.labels[from + i], data.users[from + i]);
        }
        double auc = metrics.auc();
        return Double.isNaN(auc) ? -metrics.logLoss() : auc;
    }

    /**
     * Continual training: merges rows {@code [from, to)} of {@code domain} into the running statistics of the
     * numeric inputs that belong to {@code groups} (the parameter groups the step trains; a frozen module's
     * statistics stay as its snapshot brought them). Called before the step, so the step already standardizes
     * with them.
     */
    protected void observeNumeric(Domain domain, List<String> groups, EncodedSamples data, int from, int to) {
        List<NumericInput> inputs = net.numericInputs().stream().filter(n -> n.domain() == domain
                && n.features() > 0 && groups.contains(n.mean().group())).toList();
        if (inputs.isEmpty() || to <= from) {
            return;
        }
        EncodedSamples.Moments batch = data.numericMoments(from, to);
        List<Net.Param> params = new ArrayList<>();
        inputs.forEach(n -> params.addAll(List.of(n.count(), n.mean(), n.std())));
        Map<Net.Param, float[]> current = net.read(session, params);
        Map<Net.Param, float[]> updated = new LinkedHashMap<>();
        for (NumericInput n : inputs) {
            updated.putAll(mergedStatistics(n, current.get(n.count()), current.get(n.mean()), current.get(n.std()),
                    batch));
        }
        net.assign(session, updated);
    }

    /** {@code n}'s statistics {@code (count, mean, std)} with {@code batch} merged in ({@link NumericInput#merge}). */
    private static Map<Net.Param, float[]> mergedStatistics(NumericInput n, float[] count, float[] mean, float[] std,
            EncodedSamples.Moments batch) {
        float[] c = count.clone();
        float[] m = mean.clone();
        float[] s = std.clone();
        for (int f = 0; f < n.features(); f++) {
            double[] merged = NumericInput.merge(c[f], m[f], s[f], batch.count()[f], batch.mean()[f],
                    batch.m2()[f]);
            c[f] = (float) merged[0];
            m[f] = (float) merged[1];
            s[f] = (float) merged[2];
        }
        return Map.of(n.count(), c, n.mean(), m, n.std(), s);
    }

    /** Sets {@code params} to zero, e.g. an output layer whose network should start by predicting nothing. */
    protected void zero(Net.Param... params) {
        Map<Net.Param, float[]> zeros = new LinkedHashMap<>();
        for (Net.Param p : params) {
            zeros.put(p, new float[Math.toIntExact(Arrays.stream(p.shape()).reduce(1, Math::multiplyExact))]);
        }
        net.assign(session, zeros);
    }

    /** Sets an output bias to {@code log(rate / (1 - rate))}, so training starts at the right click rate. */
    protected void initializeBias(Net.Param bias, double rate) {
        double r = Math.min(1 - 1e-4, Math.max(1e-4, Double.isNaN(rate) ? 0.5 : rate));
        net.assign(session, Map.of(bias, new float[] {(float) Math.log(r / (1 - r))}));
    }

    /**
     * Steps {@code [firstStep, lastStep)} of one pass over both domains' rows, batch sizes proportional to their
     * counts, one loss per step.
     */
    private void trainJoint(Op step, EncodedSamples source, EncodedSamples target, int firstStep, int lastStep) {
        int sourceEnd = source.rows;
        int targetEnd = target.rows;
        if (sourceEnd == 0 || targetEnd == 0) {
            throw new IllegalArgumentException("Joint training needs rows of both domains (source " + sourceEnd
                    + ", target " + targetEnd + ")");
        }
        int sourceBatch = config.batchSize();
        int steps = (sourceEnd + sourceBatch - 1) / sourceBatch;
        double targetPerStep = (double) targetEnd / steps;
        for (int s = firstStep; s < lastStep; s++) {
            int sFrom = s * sourceBatch;
            int sTo = Math.min(sourceEnd, sFrom + sourceBatch);
            int tFrom = (int) Math.round(s * targetPerStep);
            int tTo = Math.max(tFrom + 1, (int) Math.round((s + 1) * targetPerStep));
            tTo = Math.min(tTo, targetEnd);
            tFrom = Math.min(tFrom, tTo - 1);
            stepJoint(step, source, sFrom, sTo, target, tFrom, tTo);
        }
    }

    /** One step of {@code step} on source rows {@code [sFrom, sTo)} and target rows {@code [tFrom, tTo)} together. */
    protected void stepJoint(Op step, EncodedSamples source, int sFrom, int sTo, EncodedSamples target, int tFrom,
            int tTo) {
        if (sTo <= sFrom || tTo <= tFrom) {
            throw new IllegalArgumentException("A joint step needs rows of both domains (source " + (sTo - sFrom)
                    + ", target " + (tTo - tFrom) + ")");
        }
        runJoint(step, source, sFrom, sTo, target, tFrom, tTo);
    }

    /**
     * {@link #stepJoint} for a loss that is defined when one domain has no rows (MEM's): one range may be empty,
     * not both.
     */
    protected void stepEitherDomain(Op step, EncodedSamples source, int sFrom, int sTo, EncodedSamples target,
            int tFrom, int tTo) {
        if (sTo < sFrom || tTo < tFrom || sTo - sFrom + tTo - tFrom == 0) {
            throw new IllegalArgumentException("A step needs rows of at least one domain (source " + (sTo - sFrom)
                    + ", target " + (tTo - tFrom) + ")");
        }
        runJoint(step, source, sFrom, sTo, target, tFrom, tTo);
    }

    private void runJoint(Op step, EncodedSamples source, int sFrom, int sTo, EncodedSamples target, int tFrom,
            int tTo) {
        Session.Runner runner = session.runner().addTarget(step).feed(net.training(), trainingFlag);
        try (var a = sourceInputs.feed(runner, source, sFrom, sTo, true);
                var b = targetInputs.feed(runner, target, tFrom, tTo, true)) {
            runner.run();
        }
    }

    /** One pass over rows {@code [from, to)} in batches. */
    protected void trainRange(Op step, BatchInputs inputs, EncodedSamples data, int from, int to) {
        int batch = config.batchSize();
        for (int start = from; start < to; start += batch) {
            Session.Runner runner = session.runner().addTarget(step).feed(net.training(), trainingFlag);
            try (var feed = inputs.feed(runner, data, start, Math.min(to, start + batch), true)) {
                runner.run();
            }
        }
    }

    @Override
    public byte[] checkpointBytes() {
        return checkpoint.toBytes();
    }

    @Override
    public void restoreCheckpointBytes(byte[] state) {
        checkpoint.restore(state);
    }

    @Override
    public float[] predict(EncodedSamples target, int from, int to) {
        return score(Domain.TARGET, target, from, to);
    }

    /** Click probabilities of rows {@code [from, to)} of a domain the model has an output for. */
    public float[] score(Domain domain, EncodedSamples data, int from, int to) {
        Operand<TFloat32> output = scores.get(domain);
        if (output == null) {
            throw new IllegalStateException(name() + " has no " + domain.name().toLowerCase() + " output");
        }
        return score(output, domain, data, from, to);
    }

    private float[] score(Operand<TFloat32> output, Domain domain, EncodedSamples data, int from, int to) {
        BatchInputs inputs = domain == Domain.SOURCE ? sourceInputs : targetInputs;
        float[] out = new float[to - from];
        int batch = 4096;
        for (int start = from; start < to; start += batch) {
            int end = Math.min(to, start + batch);
            Session.Runner runner = session.runner().fetch(output);
            try (var feed = inputs.feed(runner, data, start, end, false);
                    var result = runner.run()) {
                TFloat32 scores = (TFloat32) result.get(0);
                for (int i = 0; i < end - start; i++) {
                    out[start - from + i] = scores.getFloat(i, 0);
                }
            }
        }
        return out;
    }

    /** Current values of a parameter, flattened in row-major order. */
    public float[] values(Net.Param param) {
        try (var result = session.runner().fetch(param.read()).run()) {
            TFloat32 t = (TFloat32) result.get(0);
            float[] out = new float[(int) param.size()];
            t.copyTo(DataBuffers.of(out, false, false));
            return out;
        }
    }

    @Override
    public SnapshotStore.Snapshot publish(SnapshotStore store, ModelKind kind, long version,
            Map<String, Double> metrics, boolean withSavedModel) {
        return snapshots.publish(store, kind, version, metrics, withSavedModel);
    }

    /** Loads every weight of a verified snapshot of the same model structure and feature schema. */
    public void load(SnapshotStore.Snapshot snapshot) {
        snapshots.load(snapshot);
    }

    @Override
    public ModuleWeights readGroup(SnapshotStore.Snapshot snapshot, String group) {
        return snapshots.readGroup(snapshot, group);
    }

    @Override
    public void assign(ModuleWeights weights) {
        net.assign(session, weights.values());
    }

    @Override
    public void close() {
        if (trainingFlag != null) {
            trainingFlag.close();
        }
        if (session != null) {
            session.close();
        }
        graph.close();
    }
}

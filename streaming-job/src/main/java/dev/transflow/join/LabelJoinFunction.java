package dev.transflow.join;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.LabeledSample;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The label join, keyed by impression id: exactly one label per impression. A click within the attribution window
 * (event time) emits a positive at once; the window's event-time timer emits a negative; a click after the label is
 * known goes to {@link #LATE_CLICKS}. A click may arrive before its impression: it waits {@code retention} for it,
 * then counts as unmatched and goes to {@link #LATE_CLICKS} too. All state of an impression is cleared
 * {@code retention} after its window closed.
 */
public final class LabelJoinFunction extends KeyedCoProcessFunction<String, LabeledSample, Click, LabeledSample> {

    private static final long serialVersionUID = 1L;

    /** Clicks that came too late for a label, or never met their impression. */
    public static final OutputTag<Click> LATE_CLICKS = new OutputTag<>("late-clicks", TypeInformation.of(Click.class));

    /** Impressions whose id was seen before; they are not labeled twice. */
    public static final OutputTag<LabeledSample> DUPLICATE_IMPRESSIONS = new OutputTag<>("duplicate-impressions",
            TypeInformation.of(LabeledSample.class));

    private static final FeatureValues EMPTY = new FeatureValues(Map.of(), Map.of());

    private final long windowMillis;
    private final long retentionMillis;

    private transient ValueState<JoinState> state;
    private transient Counter positives;
    private transient Counter negatives;
    private transient Counter lateClicks;
    private transient Counter unmatchedClicks;
    private transient Counter duplicateImpressions;

    /**
     * @param window attribution window: a click at most this long after its impression makes it positive
     * @param retention how long state stays after the window closes (late clicks are recognised that long), and how
     *     long a click waits for its impression
     */
    public LabelJoinFunction(Duration window, Duration retention) {
        if (window.isNegative() || window.isZero() || retention.isNegative()) {
            throw new IllegalArgumentException("The attribution window must be positive and the retention >= 0");
        }
        this.windowMillis = window.toMillis();
        this.retentionMillis = retention.toMillis();
    }

    @Override
    public void open(OpenContext context) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("join", TypeInformation.of(JoinState.class)));
        var metrics = getRuntimeContext().getMetricGroup();
        positives = metrics.counter("positives");
        negatives = metrics.counter("negatives");
        lateClicks = metrics.counter("lateClicks");
        unmatchedClicks = metrics.counter("unmatchedClicks");
        duplicateImpressions = metrics.counter("duplicateImpressions");
    }

    @Override
    public void processElement1(LabeledSample sample, Context ctx, Collector<LabeledSample> out) throws Exception {
        JoinState s = state.value();
        if (s != null && s.impression != null) {
            duplicateImpressions.inc();
            ctx.output(DUPLICATE_IMPRESSIONS, sample);
            return;
        }
        if (s == null) {
            s = new JoinState();
        }
        long deadline = sample.getImpressionTime() + windowMillis;
        ctx.timerService().registerEventTimeTimer(deadline);
        s.impression = sample;
        s.status = JoinState.OPEN;
        Click early = s.earlyClick;
        s.earlyClick = null;
        if (early != null) {
            if (early.getEventTime() <= deadline) {
                s.status = JoinState.POSITIVE;
                state.update(s);
                emit(sample, 1, Math.max(early.getEventTime(), sample.getImpressionTime()), out);
                return;
            }
            late(early, ctx);
        }
        state.update(s);
    }

    @Override
    public void processElement2(Click click, Context ctx, Collector<LabeledSample> out) throws Exception {
        JoinState s = state.value();
        if (s == null) {
            s = new JoinState();
            s.earlyClick = click;
            s.cleanupAt = click.getEventTime() + retentionMillis;
            ctx.timerService().registerEventTimeTimer(s.cleanupAt);
            state.update(s);
            return;
        }
        if (s.status == JoinState.OPEN
                && click.getEventTime() <= s.impression.getImpressionTime() + windowMillis) {
            s.status = JoinState.POSITIVE;
            LabeledSample sample = s.impression;
            state.update(s);
            emit(sample, 1, Math.max(click.getEventTime(), sample.getImpressionTime()), out);
            return;
        }
        late(click, ctx);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LabeledSample> out) throws Exception {
        JoinState s = state.value();
        if (s == null) {
            return;
        }
        LabeledSample sample = s.impression;
        if (sample != null && timestamp == sample.getImpressionTime() + windowMillis
                && (s.status == JoinState.OPEN || s.status == JoinState.POSITIVE)) {
            if (s.status == JoinState.OPEN) {
                s.status = JoinState.NEGATIVE;
                emit(sample, 0, timestamp, out);
            }
            // The label is known; keep only what recognises late clicks, until the retention ends.
            s.impression = slim(sample);
            s.cleanupAt = timestamp + retentionMillis;
            ctx.timerService().registerEventTimeTimer(s.cleanupAt);
            state.update(s);
            return;
        }
        // An early click's cleanup timer may fire while its impression's window is still open: that entry stays.
        if (s.cleanupAt != 0 && timestamp >= s.cleanupAt && s.status != JoinState.OPEN) {
            if (s.earlyClick != null && sample == null) {
                unmatchedClicks.inc();
                ctx.output(LATE_CLICKS, s.earlyClick);
            }
            state.clear();
        }
    }

    /** The impression's ids and times only. */
    private static LabeledSample slim(LabeledSample sample) {
        LabeledSample slim = new LabeledSample();
        slim.setImpressionId(sample.getImpressionId());
        slim.setDomain(sample.getDomain());
        slim.setEntityType(sample.getEntityType());
        slim.setUserId(sample.getUserId());
        slim.setItemId(sample.getItemId());
        slim.setPosition(sample.getPosition());
        slim.setUser(EMPTY);
        slim.setShared(EMPTY);
        slim.setSpecific(EMPTY);
        slim.setClickedProducts(List.of());
        slim.setClickedPosts(List.of());
        slim.setLabel(sample.getLabel());
        slim.setImpressionTime(sample.getImpressionTime());
        slim.setLabelTime(sample.getLabelTime());
        return slim;
    }

    private void late(Click click, Context ctx) {
        lateClicks.inc();
        ctx.output(LATE_CLICKS, click);
    }

    /**
     * Emits a copy-free labeled sample. Called after the state is written: with the heap backend the state holds
     * this very object, and a chained downstream operator receives a copy (object reuse is off), so the stored
     * value never changes under it.
     */
    private void emit(LabeledSample sample, int label, long labelTime, Collector<LabeledSample> out) {
        (label == 1 ? positives : negatives).inc();
        sample.setLabel(label);
        sample.setLabelTime(labelTime);
        out.collect(sample);
    }
}

package dev.transflow.join;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.LabeledSample;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
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
    private static final int OPEN = 0;
    private static final int POSITIVE = 1;
    private static final int NEGATIVE = 2;

    private final long windowMillis;
    private final long retentionMillis;

    private transient ValueState<LabeledSample> impression;
    private transient ValueState<Integer> status;
    private transient ValueState<Click> earlyClick;
    private transient ValueState<Long> cleanupAt;
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
        impression = getRuntimeContext().getState(new ValueStateDescriptor<>("impression",
                TypeInformation.of(LabeledSample.class)));
        status = getRuntimeContext().getState(new ValueStateDescriptor<>("status", Types.INT));
        earlyClick = getRuntimeContext().getState(new ValueStateDescriptor<>("early-click",
                TypeInformation.of(Click.class)));
        cleanupAt = getRuntimeContext().getState(new ValueStateDescriptor<>("cleanup-at", Types.LONG));
        var metrics = getRuntimeContext().getMetricGroup();
        positives = metrics.counter("positives");
        negatives = metrics.counter("negatives");
        lateClicks = metrics.counter("lateClicks");
        unmatchedClicks = metrics.counter("unmatchedClicks");
        duplicateImpressions = metrics.counter("duplicateImpressions");
    }

    @Override
    public void processElement1(LabeledSample sample, Context ctx, Collector<LabeledSample> out) throws Exception {
        if (impression.value() != null || status.value() != null) {
            duplicateImpressions.inc();
            ctx.output(DUPLICATE_IMPRESSIONS, sample);
            return;
        }
        long deadline = sample.getImpressionTime() + windowMillis;
        impression.update(sample);
        ctx.timerService().registerEventTimeTimer(deadline);
        Click early = earlyClick.value();
        if (early != null) {
            earlyClick.clear();
            if (early.getEventTime() <= deadline) {
                emit(sample, 1, Math.max(early.getEventTime(), sample.getImpressionTime()), out);
                status.update(POSITIVE);
                return;
            }
            late(early, ctx);
        }
        status.update(OPEN);
    }

    @Override
    public void processElement2(Click click, Context ctx, Collector<LabeledSample> out) throws Exception {
        LabeledSample sample = impression.value();
        Integer state = status.value();
        if (sample == null) {
            if (earlyClick.value() != null || state != null) {
                late(click, ctx);
                return;
            }
            earlyClick.update(click);
            scheduleCleanup(click.getEventTime() + retentionMillis, ctx);
            return;
        }
        if (state == OPEN && click.getEventTime() <= sample.getImpressionTime() + windowMillis) {
            emit(sample, 1, Math.max(click.getEventTime(), sample.getImpressionTime()), out);
            status.update(POSITIVE);
            return;
        }
        late(click, ctx);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LabeledSample> out) throws Exception {
        LabeledSample sample = impression.value();
        if (sample != null && timestamp == sample.getImpressionTime() + windowMillis) {
            if (status.value() == OPEN) {
                emit(sample, 0, timestamp, out);
                status.update(NEGATIVE);
            }
            // The label is known; keep only what recognises late clicks, until the retention ends.
            impression.update(LabeledSample.newBuilder(sample).setUser(EMPTY).setShared(EMPTY).setSpecific(EMPTY)
                    .setClickedProducts(List.of()).setClickedPosts(List.of()).build());
            scheduleCleanup(timestamp + retentionMillis, ctx);
            return;
        }
        Long cleanup = cleanupAt.value();
        if (cleanup != null && timestamp >= cleanup) {
            Click orphan = earlyClick.value();
            if (orphan != null && sample == null) {
                unmatchedClicks.inc();
                ctx.output(LATE_CLICKS, orphan);
            }
            impression.clear();
            status.clear();
            earlyClick.clear();
            cleanupAt.clear();
        }
    }

    private void scheduleCleanup(long time, Context ctx) throws Exception {
        cleanupAt.update(time);
        ctx.timerService().registerEventTimeTimer(time);
    }

    private void late(Click click, Context ctx) {
        lateClicks.inc();
        ctx.output(LATE_CLICKS, click);
    }

    private void emit(LabeledSample sample, int label, long labelTime, Collector<LabeledSample> out) {
        (label == 1 ? positives : negatives).inc();
        out.collect(LabeledSample.newBuilder(sample).setLabel(label).setLabelTime(labelTime).build());
    }
}

package dev.transflow.join;

import dev.transflow.history.ClickHistory;
import dev.transflow.schemas.Click;
import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.codec.PendingSampleEncoding;
import dev.transflow.topic.Topic;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Turns impressions into labeled samples, keyed by user: each impression gets its user's click history as of its
 * impression time ({@link ClickHistory}) and exactly one label. A click of the same impression id within the
 * attribution window (event time) emits a positive at once; the window's end emits a negative; a click after the
 * label is known goes to {@link #LATE_CLICKS}. A click may arrive before its impression: it waits
 * {@code retention} for it, then counts as unmatched and goes to {@link #LATE_CLICKS} too. Every click joins the
 * history with the category of its impression.
 *
 * <p>History and labels share one operator, keyed by user, so that an impression crosses the network once and a
 * click finds its impression's category without a lookup table. Each impression id has one map entry in the user's
 * state and event-time timers namespaced by that id (window end, and {@code retention} later, removal). Impressions
 * arrive encoded ({@link EncodedImpression}); the join appends the history and, once known, the label to their bytes
 * ({@link PendingSampleEncoding}) and emits {@link EncodedSample}s, so no sample is decoded or encoded twice.
 */
public final class SampleJoinOperator extends AbstractStreamOperator<EncodedSample>
        implements TwoInputStreamOperator<EncodedImpression, Click, EncodedSample>, Triggerable<String, String> {

    private static final long serialVersionUID = 1L;

    /** Clicks that came too late for a label, or never met their impression. */
    public static final OutputTag<Click> LATE_CLICKS = new OutputTag<>("late-clicks", TypeInformation.of(Click.class));

    /** Impressions whose id was seen before, as dead letters (reason {@code DUPLICATE_IMPRESSION}). */
    public static final OutputTag<DeadLetter> DUPLICATE_IMPRESSIONS = new OutputTag<>("duplicate-impressions",
            TypeInformation.of(DeadLetter.class));

    /** Reason code of {@link #DUPLICATE_IMPRESSIONS}. */
    public static final String DUPLICATE_IMPRESSION = "DUPLICATE_IMPRESSION";

    private final long windowMillis;
    private final long retentionMillis;
    private final int historyLength;
    private final Duration historyTtl;

    private transient ClickHistory history;
    private transient PendingSampleEncoding encoding;
    private transient MapState<String, JoinState> impressions;
    private transient InternalTimerService<String> timers;
    private transient Counter positives;
    private transient Counter negatives;
    private transient Counter lateClicks;
    private transient Counter unmatchedClicks;
    private transient Counter duplicateImpressions;

    /**
     * @param window attribution window: a click at most this long after its impression makes it positive
     * @param retention how long an impression's entry stays after its window closed (late clicks are recognised
     *     that long), and how long a click waits for its impression
     * @param historyLength clicked items per entity type attached to each sample
     * @param historyTtl history of a user idle this long expires
     */
    public SampleJoinOperator(Duration window, Duration retention, int historyLength, Duration historyTtl) {
        if (window.isNegative() || window.isZero() || retention.isNegative()) {
            throw new IllegalArgumentException("The attribution window must be positive and the retention >= 0");
        }
        if (historyLength < 1) {
            throw new IllegalArgumentException("history.length must be >= 1, got " + historyLength);
        }
        this.windowMillis = window.toMillis();
        this.retentionMillis = retention.toMillis();
        this.historyLength = historyLength;
        this.historyTtl = historyTtl;
    }

    @Override
    public void open() throws Exception {
        super.open();
        history = ClickHistory.open(getRuntimeContext(), historyLength, historyTtl);
        encoding = new PendingSampleEncoding();
        impressions = getRuntimeContext().getMapState(new MapStateDescriptor<>("impressions",
                StringSerializer.INSTANCE, JoinStateSerializer.INSTANCE));
        timers = getInternalTimerService("impression-timers", StringSerializer.INSTANCE, this);
        var metrics = getMetricGroup();
        positives = metrics.counter("positives");
        negatives = metrics.counter("negatives");
        lateClicks = metrics.counter("lateClicks");
        unmatchedClicks = metrics.counter("unmatchedClicks");
        duplicateImpressions = metrics.counter("duplicateImpressions");
    }

    @Override
    public void processElement1(StreamRecord<EncodedImpression> record) throws Exception {
        EncodedImpression impression = record.getValue();
        String id = impression.impressionId;
        JoinState s = impressions.get(id);
        if (s != null && s.status != JoinState.WAITING) {
            duplicateImpressions.inc();
            output.collect(DUPLICATE_IMPRESSIONS, new StreamRecord<>(duplicate(impression, s.impressionTime),
                    record.getTimestamp()));
            return;
        }
        if (s == null) {
            s = new JoinState();
        }
        ClickHistory.Sequences clicks = history.asOf(impression.impressionTime);
        s.status = JoinState.OPEN;
        s.impressionTime = impression.impressionTime;
        s.domain = impression.domain;
        s.category = impression.category;
        s.pending = encoding.withHistory(impression.bytes, clicks.products(), clicks.posts());
        long deadline = s.impressionTime + windowMillis;
        timers.registerEventTimeTimer(id, deadline);
        timers.registerEventTimeTimer(id, deadline + retentionMillis);

        Click early = s.earlyClick;
        s.earlyClick = null;
        if (early != null) {
            history.completeCategory(early, s.category);
            if (early.getEventTime() <= deadline) {
                emit(s, 1, Math.max(early.getEventTime(), s.impressionTime));
                impressions.put(id, s);
                return;
            }
            late(early);
        }
        impressions.put(id, s);
    }

    @Override
    public void processElement2(StreamRecord<Click> record) throws Exception {
        Click click = record.getValue();
        String id = click.getImpressionId();
        JoinState s = impressions.get(id);
        if (s == null) {
            s = new JoinState();
            s.earlyClick = click;
            impressions.put(id, s);
            timers.registerEventTimeTimer(id, click.getEventTime() + retentionMillis);
            history.record(click, null);
            return;
        }
        if (s.status == JoinState.OPEN && click.getEventTime() <= s.impressionTime + windowMillis) {
            emit(s, 1, Math.max(click.getEventTime(), s.impressionTime));
            impressions.put(id, s);
        } else {
            late(click);
        }
        history.record(click, s.category);
    }

    @Override
    public void onEventTime(InternalTimer<String, String> timer) throws Exception {
        String id = timer.getNamespace();
        JoinState s = impressions.get(id);
        if (s == null) {
            return;
        }
        long time = timer.getTimestamp();
        if (s.status == JoinState.WAITING) {
            // Only the early click's own timer fires while no impression has come.
            unmatchedClicks.inc();
            output.collect(LATE_CLICKS, new StreamRecord<>(s.earlyClick, s.earlyClick.getEventTime()));
            impressions.remove(id);
            return;
        }
        long deadline = s.impressionTime + windowMillis;
        boolean labeled = false;
        if (s.status == JoinState.OPEN && time >= deadline) {
            emit(s, 0, deadline);
            labeled = true;
        }
        if (time >= deadline + retentionMillis) {
            impressions.remove(id);
        } else if (labeled) {
            impressions.put(id, s);
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, String> timer) {
        throw new IllegalStateException("The sample join registers no processing-time timers");
    }

    /** The dead letter of an impression id seen twice; the first occurrence keeps its one label. */
    private static DeadLetter duplicate(EncodedImpression impression, long firstTime) {
        Topic topic = impression.domain == Domain.SOURCE ? Topic.PRODUCT_IMPRESSIONS : Topic.POST_IMPRESSIONS;
        return DeadLetter.newBuilder()
                .setSourceTopic(topic.topicName()).setPartition(-1).setOffset(-1L)
                .setRecordTimestamp(impression.impressionTime)
                .setKey(ByteBuffer.wrap(impression.userId.getBytes(StandardCharsets.UTF_8))).setValue(null)
                .setReasonCode(DUPLICATE_IMPRESSION)
                .setReason(String.format(Locale.ROOT, "Impression id %s of user %s (event time %d) was already seen "
                        + "with event time %d; only the first is labeled. Producers must give each impression its own "
                        + "id.", impression.impressionId, impression.userId, impression.impressionTime, firstTime))
                .setStage("join").setFailedAt(System.currentTimeMillis())
                .build();
    }

    private void late(Click click) {
        lateClicks.inc();
        output.collect(LATE_CLICKS, new StreamRecord<>(click, click.getEventTime()));
    }

    /** Emits the pending sample of {@code s} with its label; {@code s} keeps only what late clicks need. */
    private void emit(JoinState s, int label, long labelTime) {
        (label == 1 ? positives : negatives).inc();
        byte[] bytes = PendingSampleEncoding.labeled(s.pending, label, s.impressionTime, labelTime);
        output.collect(new StreamRecord<>(new EncodedSample((String) getCurrentKey(), s.domain, bytes), labelTime));
        s.pending = null;
        s.status = label == 1 ? JoinState.POSITIVE : JoinState.NEGATIVE;
    }
}

package dev.transflow.join;

import dev.transflow.history.ClickHistory;
import dev.transflow.history.HistoryOptions;
import dev.transflow.schemas.Click;
import dev.transflow.schemas.DeadLetter;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.codec.PendingSampleEncoding;
import dev.transflow.topic.Topic;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
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
 * {@code retention} (event time) for it, then counts as unmatched and goes to {@link #LATE_CLICKS} too. Every click
 * joins the history with the category of its impression.
 *
 * <p>History and labels share one operator, keyed by user, so that an impression crosses the network once and a
 * click finds its impression's category without a lookup table. An impression whose label is unknown has an entry in
 * {@code pending} and is listed under the second its window ends in ({@link LabelDeadlines}), whose timer emits the
 * negatives. Once labeled it moves to {@code labeled}, a tombstone that state TTL removes {@code retention} later
 * (processing time), so that late clicks and reused ids are still recognised. No timer is registered per impression:
 * timers cost more than state reads. A click that waits for its impression has a timer of its own.
 *
 * <p>Every open impression is eventually labeled. One that arrives after the watermark passed its window's end (a
 * late one, counted in {@code lateImpressions}) is labeled at the next watermark, so a click that comes before that
 * still counts. {@code pending} has no TTL on purpose: a TTL (processing time, silent) would drop open impressions
 * without a label whenever the watermark stalls for longer, and adding one to existing state breaks restoring from
 * checkpoints. The backstop is that each start gives every listed deadline its timer
 * ({@link LabelDeadlines#registerListed}).
 *
 * <p>Impressions arrive encoded ({@link EncodedImpression}); the join appends the history and, once known, the label
 * to their bytes ({@link PendingSampleEncoding}) and emits {@link EncodedSample}s, so no sample is decoded or encoded
 * twice.
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
    /** Impressions waiting for their label ({@link JoinState#OPEN}) and clicks waiting for their impression. */
    private transient MapState<String, JoinState> pending;
    /** Labeled impressions: status, time and category only, until the TTL removes them. */
    private transient MapState<String, JoinState> labeled;
    private transient LabelDeadlines deadlines;
    /** Timers of clicks waiting for their impression, namespaced by impression id. */
    private transient InternalTimerService<String> timers;
    private transient Counter positives;
    private transient Counter negatives;
    private transient Counter lateClicks;
    private transient Counter unmatchedClicks;
    private transient Counter duplicateImpressions;
    private transient Counter lateImpressions;

    /**
     * @param window attribution window: a click at most this long after its impression makes it positive
     * @param retention how long a labeled impression is remembered (processing time), so that late clicks and
     *     reused ids are recognised; and how long (event time) a click waits for its impression
     * @param historyLength clicked items per entity type attached to each sample
     * @param historyTtl history of a user idle this long expires
     */
    public SampleJoinOperator(Duration window, Duration retention, int historyLength, Duration historyTtl) {
        if (window.isNegative() || window.isZero() || retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("The attribution window and the retention must be positive");
        }
        if (historyLength < 1) {
            throw new IllegalArgumentException(HistoryOptions.LENGTH.key() + " must be >= 1, got " + historyLength);
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
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending",
                StringSerializer.INSTANCE, JoinStateSerializer.INSTANCE));
        MapStateDescriptor<String, JoinState> tombstones = new MapStateDescriptor<>("labeled",
                StringSerializer.INSTANCE, JoinStateSerializer.INSTANCE);
        tombstones.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(retentionMillis)).build());
        labeled = getRuntimeContext().getMapState(tombstones);
        timers = getInternalTimerService("early-click-timers", StringSerializer.INSTANCE, this);
        deadlines = LabelDeadlines.of(this::setCurrentKey,
                getOrCreateKeyedState(LongSerializer.INSTANCE, LabelDeadlines.descriptor()),
                getInternalTimerService("label-ticks", VoidNamespaceSerializer.INSTANCE, new Ticks()),
                getRuntimeContext().getTaskInfo());
        deadlines.registerListed(getKeyedStateBackend());
        var metrics = getMetricGroup();
        positives = metrics.counter("positives");
        negatives = metrics.counter("negatives");
        lateClicks = metrics.counter("lateClicks");
        unmatchedClicks = metrics.counter("unmatchedClicks");
        duplicateImpressions = metrics.counter("duplicateImpressions");
        lateImpressions = metrics.counter("lateImpressions");
    }

    @Override
    public void processElement1(StreamRecord<EncodedImpression> record) throws Exception {
        EncodedImpression impression = record.getValue();
        String id = impression.impressionId;
        JoinState s = pending.get(id);
        // Seen before: open, or labeled. A pending entry that is not open is a click waiting for this impression.
        JoinState seen = s == null ? labeled.get(id) : s.status == JoinState.OPEN ? s : null;
        if (seen != null) {
            duplicateImpressions.inc();
            output.collect(DUPLICATE_IMPRESSIONS, new StreamRecord<>(duplicate(impression, seen.impressionTime),
                    record.getTimestamp()));
            return;
        }
        Click early = s == null ? null : s.earlyClick;
        s = new JoinState();
        ClickHistory.Sequences clicks = history.asOf(impression.impressionTime);
        s.status = JoinState.OPEN;
        s.impressionTime = impression.impressionTime;
        s.domain = impression.domain;
        s.category = impression.category;
        s.pending = encoding.withHistory(impression.bytes, clicks.products(), clicks.posts());
        long deadline = s.impressionTime + windowMillis;

        if (early != null) {
            timers.deleteEventTimeTimer(id, early.getEventTime() + retentionMillis);
            history.completeCategory(early, s.category);
            if (early.getEventTime() <= deadline) {
                emit(id, s, 1, Math.max(early.getEventTime(), s.impressionTime));
                return;
            }
            late(early);
        }
        pending.put(id, s);
        if (deadlines.add(impression.userId, id, deadline)) {
            lateImpressions.inc();
        }
    }

    @Override
    public void processElement2(StreamRecord<Click> record) throws Exception {
        Click click = record.getValue();
        String id = click.getImpressionId();
        JoinState s = pending.get(id);
        if (s == null) {
            JoinState known = labeled.get(id);
            if (known != null) {
                late(click);
                history.record(click, known.category);
                return;
            }
            s = new JoinState();
            s.earlyClick = click;
            pending.put(id, s);
            timers.registerEventTimeTimer(id, click.getEventTime() + retentionMillis);
            history.record(click, null);
            return;
        }
        long deadline = s.impressionTime + windowMillis;
        if (s.status == JoinState.OPEN && click.getEventTime() <= deadline) {
            emit(id, s, 1, Math.max(click.getEventTime(), s.impressionTime));
        } else {
            late(click);
        }
        history.record(click, s.category);
    }

    /** A click waited {@code retention} for its impression: it is unmatched. */
    @Override
    public void onEventTime(InternalTimer<String, String> timer) throws Exception {
        String id = timer.getNamespace();
        JoinState s = pending.get(id);
        if (s != null && s.status == JoinState.WAITING) {
            unmatchedClicks.inc();
            output.collect(LATE_CLICKS, new StreamRecord<>(s.earlyClick, s.earlyClick.getEventTime()));
            pending.remove(id);
        }
    }

    /** The timers of {@link LabelDeadlines}: each labels negative its tick's impressions that are still open. */
    private final class Ticks implements Triggerable<String, VoidNamespace> {
        @Override
        public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
            long tick = timer.getTimestamp();
            for (Tuple2<String, String> listed : deadlines.drain(tick)) {
                setCurrentKey(listed.f0);
                JoinState s = pending.get(listed.f1);
                long deadline = s == null ? Long.MAX_VALUE : s.impressionTime + windowMillis;
                // Positives left pending when they were labeled; their list entries are skipped.
                if (s != null && s.status == JoinState.OPEN && deadline <= tick) {
                    emit(listed.f1, s, 0, deadline);
                }
            }
        }

        @Override
        public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {
            throw new IllegalStateException("The sample join registers no processing-time timers");
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

    /** Emits the pending sample of {@code s} with its label and moves {@code id} from pending to labeled. */
    private void emit(String id, JoinState s, int label, long labelTime) throws Exception {
        (label == 1 ? positives : negatives).inc();
        byte[] bytes = PendingSampleEncoding.labeled(s.pending, label, s.impressionTime, labelTime);
        output.collect(new StreamRecord<>(new EncodedSample((String) getCurrentKey(), s.domain, bytes), labelTime));
        s.pending = null;
        s.status = label == 1 ? JoinState.POSITIVE : JoinState.NEGATIVE;
        pending.remove(id);
        labeled.put(id, s);
    }
}

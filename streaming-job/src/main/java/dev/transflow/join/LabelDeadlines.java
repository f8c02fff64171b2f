package dev.transflow.join;

import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.internal.InternalListState;
import org.apache.flink.streaming.api.operators.InternalTimerService;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * When the sample join's open impressions get their negative label: the impressions whose attribution window ends in
 * the same second (a tick) of event time are listed together, per key group, under one event-time timer. A timer per
 * impression cost the join almost half of its time (RocksDB writes, reads back and deletes each one, and heap
 * timers are copied at every checkpoint); a list append is one RocksDB merge.
 *
 * <p>Lists and timers belong to a key of their own per key group, never a user's, so that they move with their
 * key group when the job is rescaled, together with the users' state they refer to. The key of key group {@code g}
 * is the first string {@code "\0label-ticks-<n>"} that Flink assigns to {@code g}.
 *
 * <p>Every list has a timer: {@link #add} registers one unless this instance knows one is pending, and a timer is
 * pending only until the watermark reaches its tick. An impression that arrives after its tick's timer fired (a late
 * one, behind the watermark) is listed anew under a new timer, which fires at the next watermark. As a backstop,
 * {@link #registerListed} gives every list in state a timer when the operator (re)starts, so that lists that a
 * checkpoint holds without their timer (as earlier versions could leave them) are still drained.
 */
final class LabelDeadlines {

    /** Granularity of the lists: a negative is emitted at the first watermark at or after the next whole second. */
    static final long TICK_MILLIS = 1_000;

    /** What the sample join's operator lends: switching the current key. */
    interface Keys {
        void setCurrentKey(String key);
    }

    private final Keys keys;
    private final InternalListState<String, Long, Tuple2<String, String>> lists;
    private final InternalTimerService<VoidNamespace> timers;
    private final int maxParallelism;
    private final KeyGroupRange range;
    private final String[] tickKeys;
    /**
     * Per key group of {@link #range}: the last tick whose timer this instance registered, which is pending until the
     * watermark reaches it. Saves a timer lookup per impression (timers dedupe anyway).
     */
    private final long[] registered;

    private LabelDeadlines(Keys keys, InternalListState<String, Long, Tuple2<String, String>> lists,
            InternalTimerService<VoidNamespace> timers, int maxParallelism, KeyGroupRange range) {
        this.keys = keys;
        this.lists = lists;
        this.timers = timers;
        this.maxParallelism = maxParallelism;
        this.range = range;
        this.tickKeys = tickKeys(maxParallelism, range);
        this.registered = new long[range.getNumberOfKeyGroups()];
        Arrays.fill(registered, Long.MIN_VALUE);
    }

    /**
     * @param lists the state of the lists: key, tick as namespace; created by the operator with {@link #descriptor()}
     * @param timers the timer service whose timers call {@link #drain} with their timestamp
     * @param task the operator's subtask, whose key groups the lists cover
     */
    @SuppressWarnings("unchecked")
    static LabelDeadlines of(Keys keys, Object lists, InternalTimerService<VoidNamespace> timers, TaskInfo task) {
        int maxParallelism = task.getMaxNumberOfParallelSubtasks();
        return new LabelDeadlines(keys, (InternalListState<String, Long, Tuple2<String, String>>) lists, timers,
                maxParallelism, KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(maxParallelism,
                        task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask()));
    }

    /** The state of the lists, namespaced by tick ({@link LongSerializer}). */
    static ListStateDescriptor<Tuple2<String, String>> descriptor() {
        return new ListStateDescriptor<>("label-deadlines", Types.TUPLE(Types.STRING, Types.STRING));
    }

    /** The tick whose timer labels an impression with window end {@code deadline}: the next whole second. */
    static long tickOf(long deadline) {
        return Math.floorDiv(deadline + TICK_MILLIS - 1, TICK_MILLIS) * TICK_MILLIS;
    }

    /**
     * Lists impression {@code impressionId} of {@code user}, the current key, which is current again afterwards.
     *
     * @return whether the impression came late: the watermark had reached its tick, so it is labeled at the next one
     */
    boolean add(String user, String impressionId, long deadline) throws Exception {
        int index = KeyGroupRangeAssignment.assignToKeyGroup(user, maxParallelism) - range.getStartKeyGroup();
        long tick = tickOf(deadline);
        keys.setCurrentKey(tickKeys[index]);
        lists.setCurrentNamespace(tick);
        lists.add(Tuple2.of(user, impressionId));
        // Once the watermark has reached the tick, its timer has fired and is gone: the cache no longer says anything.
        boolean late = tick <= timers.currentWatermark();
        if (registered[index] != tick || late) {
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, tick);
            registered[index] = tick;
        }
        keys.setCurrentKey(user);
        return late;
    }

    /**
     * Registers the timer of every list in {@code backend}, the operator's, whose timers may not have been restored
     * with it: ticks that passed fire at the first watermark. Lists are few (key groups times seconds of the
     * attribution window) and this runs once per start.
     */
    void registerListed(KeyedStateBackend<String> backend) throws Exception {
        List<Tuple2<String, Long>> listed;
        try (Stream<Tuple2<String, Long>> all = backend.getKeysAndNamespaces(descriptor().getName())) {
            listed = all.toList(); // read in full before registering: a RocksDB timer store shares the backend
        }
        for (Tuple2<String, Long> list : listed) {
            keys.setCurrentKey(list.f0);
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, list.f1);
        }
    }

    /** The (user, impression id) pairs of {@code tick}, removed from state; the tick's key must be current. */
    List<Tuple2<String, String>> drain(long tick) throws Exception {
        lists.setCurrentNamespace(tick);
        List<Tuple2<String, String>> out = new ArrayList<>();
        Iterable<Tuple2<String, String>> listed = lists.get();
        if (listed != null) {
            listed.forEach(out::add);
        }
        lists.clear();
        return out;
    }

    /** For each key group of {@code range}, the first {@code "\0label-ticks-<n>"} that belongs to it. */
    static String[] tickKeys(int maxParallelism, KeyGroupRange range) {
        String[] out = new String[range.getNumberOfKeyGroups()];
        int missing = out.length;
        for (long n = 0; missing > 0; n++) {
            String key = "\0label-ticks-" + n;
            int group = KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism);
            if (range.contains(group) && out[group - range.getStartKeyGroup()] == null) {
                out[group - range.getStartKeyGroup()] = key;
                missing--;
            }
        }
        return out;
    }
}

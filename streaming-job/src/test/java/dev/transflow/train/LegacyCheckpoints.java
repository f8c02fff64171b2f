package dev.transflow.train;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;

/**
 * Trainer checkpoints as the code before {@link TrainerProgress} wrote them, and a look into what a trainer's
 * checkpoint holds. The old state is spelt out here, not taken from the production code, so that a change to the
 * production descriptor cannot go unnoticed.
 */
final class LegacyCheckpoints {

    private LegacyCheckpoints() {}

    /** The trainers' counters before {@link TrainerProgress}: a {@code long[]} in the list state "position". */
    private static ListStateDescriptor<long[]> position() {
        return new ListStateDescriptor<>("position", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    /** A checkpoint that holds {@code position} as the old trainers wrote it, and no model yet. */
    static OperatorSubtaskState withPosition(long... position) throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new OldTrainer(position)))) {
            h.open();
            return h.snapshot(1, 1);
        }
    }

    /** The progress entries and the legacy entries in a trainer's checkpoint. */
    record Contents(List<TrainerProgress> progress, List<long[]> legacy) { }

    static Contents read(OperatorSubtaskState checkpoint) throws Exception {
        Probe probe = new Probe();
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(probe))) {
            h.initializeState(checkpoint);
            h.open();
        }
        return new Contents(probe.progress, probe.legacy);
    }

    /** Writes only what the old trainers kept of their counters. */
    private static final class OldTrainer extends ProcessFunction<String, String> implements CheckpointedFunction {
        private final long[] position;
        private transient ListState<long[]> state;

        OldTrainer(long[] position) {
            this.position = position;
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            state = context.getOperatorStateStore().getListState(position());
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            state.update(List.of(position));
        }

        @Override
        public void processElement(String value, Context ctx, Collector<String> out) { }
    }

    /** Reads both progress states of a restored checkpoint. */
    private static final class Probe extends ProcessFunction<String, String> implements CheckpointedFunction {
        final List<TrainerProgress> progress = new ArrayList<>();
        final List<long[]> legacy = new ArrayList<>();

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            var store = context.getOperatorStateStore();
            store.getListState(new ListStateDescriptor<>("progress", TrainerProgress.Serializer.INSTANCE)).get()
                    .forEach(progress::add);
            store.getListState(position()).get().forEach(legacy::add);
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) { }

        @Override
        public void processElement(String value, Context ctx, Collector<String> out) { }
    }
}

package dev.transflow.train;

import dev.transflow.model.train.StreamingModel;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.ModelKind;

import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.state.FunctionInitializationContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The operator state every trainer keeps, so that a checkpoint holds the model together with the source offsets:
 * the model's checkpoint bytes (weights and optimizer slots), the samples waiting for a step, and the trainer's
 * {@link TrainerProgress}.
 *
 * <p>Checkpoints written before {@link TrainerProgress} existed hold the progress as a {@code long[]} in the state
 * {@value #LEGACY_POSITION}. When the progress state is empty and that one is not, it is read once and converted
 * ({@link LegacyPosition}), and then cleared: the checkpoints after it hold the named state only.
 */
final class TrainerCheckpoint {

    static final String MODEL = "model";
    static final String PROGRESS = "progress";
    static final String LEGACY_POSITION = "position";

    private final ListState<byte[]> model;
    private final ListState<LabeledSample> buffer;
    private final ListState<TrainerProgress> progress;
    private final TrainerProgress start;

    private TrainerCheckpoint(ListState<byte[]> model, ListState<LabeledSample> buffer,
            ListState<TrainerProgress> progress, TrainerProgress start) {
        this.model = model;
        this.buffer = buffer;
        this.progress = progress;
        this.start = start;
    }

    /**
     * Fails unless {@code task} is the only subtask of its trainer. The state is one model and its buffer: a second
     * subtask would get a share of the buffer (list state is split round-robin) next to a fresh model, and publish
     * versions of its own. The jobs pin their trainers to parallelism 1; this catches a vertex override.
     *
     * @param trainer the trainer's name in the message, e.g. "MEM trainer"
     * @param uid the trainer operator's uid in its job
     */
    static void requireSingleSubtask(TaskInfo task, String trainer, String uid) {
        int parallelism = task.getNumberOfParallelSubtasks();
        if (parallelism > 1) {
            throw new IllegalStateException(String.format("The %s (operator uid '%s') runs at parallelism %d, but it "
                    + "trains one model and must run at parallelism 1: its model, buffer and progress are operator "
                    + "state that parallel subtasks would split. Run it with parallelism 1 (as the job sets it) and "
                    + "remove any %s entry for its vertex; data-parallel training is not supported.", trainer, uid,
                    parallelism, PipelineOptions.PARALLELISM_OVERRIDES.key()));
        }
    }

    /**
     * Fails unless {@code model}'s snapshots are of the kind the trainer publishes and announces, e.g. a MEM trainer
     * given a target model.
     */
    static void requireProduces(StreamingModel model, ModelKind kind, String trainer) {
        if (model.produces() != kind) {
            throw new IllegalStateException("The " + trainer + " publishes " + kind + " snapshots, but model "
                    + model.name() + " is published as " + model.produces());
        }
    }

    /**
     * Registers the state with the trainer's operator and reads what a restore brought.
     *
     * @param bufferName the name under which the trainer keeps its waiting samples
     * @param legacy the layout of the trainer's {@code long[]} in older checkpoints
     */
    static TrainerCheckpoint initialize(FunctionInitializationContext context, String bufferName,
            LegacyPosition legacy) throws Exception {
        OperatorStateStore store = context.getOperatorStateStore();
        ListState<TrainerProgress> progress = store.getListState(new ListStateDescriptor<>(PROGRESS,
                TrainerProgress.Serializer.INSTANCE));
        TrainerProgress restored = null;
        for (TrainerProgress p : progress.get()) {
            restored = p;
        }
        if (restored == null && context.isRestored()) {
            ListState<long[]> position = store.getListState(legacyDescriptor());
            for (long[] p : position.get()) {
                restored = legacy.toProgress(p);
            }
            position.clear();
        }
        return new TrainerCheckpoint(
                store.getListState(new ListStateDescriptor<>(MODEL,
                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)),
                store.getListState(new ListStateDescriptor<>(bufferName, TypeInformation.of(LabeledSample.class))),
                progress, restored == null ? new TrainerProgress() : restored);
    }

    /** The state in which checkpoints before {@link TrainerProgress} kept it. */
    static ListStateDescriptor<long[]> legacyDescriptor() {
        return new ListStateDescriptor<>(LEGACY_POSITION, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    /** The restored progress, or the initial one after a fresh start; the trainer goes on updating it. */
    TrainerProgress progress() {
        return start;
    }

    /** Puts the checkpointed weights and optimizer slots into {@code into} (nothing after a fresh start). */
    void restoreModel(StreamingModel into) throws Exception {
        for (byte[] bytes : model.get()) {
            into.restoreCheckpointBytes(bytes);
        }
    }

    /** The samples that were waiting for a step at the checkpoint. */
    List<LabeledSample> waitingSamples() throws Exception {
        List<LabeledSample> out = new ArrayList<>();
        buffer.get().forEach(out::add);
        return out;
    }

    /**
     * Writes the current state for a checkpoint.
     *
     * @return the size of the model's checkpoint bytes
     */
    int snapshot(StreamingModel current, List<LabeledSample> waiting, TrainerProgress now) throws Exception {
        byte[] bytes = current.checkpointBytes();
        model.update(List.of(bytes));
        buffer.update(new ArrayList<>(waiting));
        progress.update(List.of(now.copy()));
        return bytes.length;
    }
}

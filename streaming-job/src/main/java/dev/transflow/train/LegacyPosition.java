package dev.transflow.train;

import dev.transflow.schemas.ModelKind;

/**
 * The {@code long[]} in which checkpoints written before {@link TrainerProgress} held a trainer's counters, read by
 * index. Read once when a trainer restores such a checkpoint; a shorter array (written before later counters
 * existed) leaves the missing ones at their initial values.
 */
enum LegacyPosition {

    /** trained samples, steps, MEM version, MEM creation time, TEM version, MEM swaps, MEM rejections. */
    TEM {
        @Override
        TrainerProgress toProgress(long[] p) {
            TrainerProgress progress = new TrainerProgress();
            progress.trainedSamples = at(p, 0, progress.trainedSamples);
            progress.steps = at(p, 1, progress.steps);
            TrainerProgress.KnowledgeUse mem = progress.knowledge(ModelKind.MEM);
            mem.version = at(p, 2, mem.version);
            mem.createdAt = at(p, 3, mem.createdAt);
            progress.publishedVersion = at(p, 4, progress.publishedVersion);
            mem.swaps = at(p, 5, mem.swaps);
            mem.rejections = at(p, 6, mem.rejections);
            return progress;
        }
    },

    /** trained samples, last published version, samples since that publication. */
    MEM {
        @Override
        TrainerProgress toProgress(long[] p) {
            TrainerProgress progress = new TrainerProgress();
            progress.trainedSamples = at(p, 0, progress.trainedSamples);
            progress.publishedVersion = at(p, 1, progress.publishedVersion);
            progress.samplesSincePublish = at(p, 2, progress.samplesSincePublish);
            return progress;
        }
    };

    abstract TrainerProgress toProgress(long[] position);

    private static long at(long[] position, int index, long missing) {
        return index < position.length ? position[index] : missing;
    }
}

package dev.transflow.model.train;

/**
 * Network sizes and training settings. Defaults follow the MKT paper's public-data setup: shared layers [128, 64],
 * towers [16, 1], target network [128, 64, 16, 1], 3 experts, gamma = 0.01.
 */
public record ModelConfig(int[] sharedUnits, int[] towerUnits, int[] targetUnits, int experts, int alignedWidth,
        int specificWidth, float pdlWeight, int batchSize, int jointEpochs, int targetEpochs, int threads,
        Optimizer.Settings optimizer) {

    public static ModelConfig defaults() {
        return new ModelConfig(new int[] {128, 64}, new int[] {16, 1}, new int[] {128, 64, 16, 1}, 3, 16, 16, 0.01f,
                512, 1, 1, 0, Optimizer.Settings.defaults());
    }

    public ModelConfig withThreads(int n) {
        return new ModelConfig(sharedUnits, towerUnits, targetUnits, experts, alignedWidth, specificWidth, pdlWeight,
                batchSize, jointEpochs, targetEpochs, n, optimizer);
    }

    public ModelConfig withBatchSize(int n) {
        return new ModelConfig(sharedUnits, towerUnits, targetUnits, experts, alignedWidth, specificWidth, pdlWeight,
                n, jointEpochs, targetEpochs, threads, optimizer);
    }

    public ModelConfig withEpochs(int joint, int target) {
        return new ModelConfig(sharedUnits, towerUnits, targetUnits, experts, alignedWidth, specificWidth, pdlWeight,
                batchSize, joint, target, threads, optimizer);
    }
}

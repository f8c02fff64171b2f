package dev.transflow.train;

import dev.transflow.model.train.ModelConfig;

import org.apache.flink.configuration.Configuration;

/** Lets tests outside the package see the model configuration a trainer would build from a job configuration. */
public final class TrainerSettingsAccess {

    private TrainerSettingsAccess() {}

    public static ModelConfig modelConfig(Configuration config) {
        return TrainerSettings.of(config).modelConfig();
    }
}

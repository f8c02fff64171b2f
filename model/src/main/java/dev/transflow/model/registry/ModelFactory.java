package dev.transflow.model.registry;

import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.train.ModelConfig;
import dev.transflow.model.train.StreamingModel;

/**
 * Builds a model with fresh weights. The name is passed in because one class serves several registered models
 * (MKT and its ablations), and the model reports it in logs and snapshots.
 */
@FunctionalInterface
public interface ModelFactory<M extends StreamingModel> {
    M create(String name, SampleEncoder encoder, ModelConfig config, long seed);
}

package dev.transflow.model.train;

/**
 * What one offline training stage did: the epochs it ran, the epoch whose weights it kept (1-based), and the
 * validation AUC after each epoch (empty without a validation slice).
 */
public record StageLog(String stage, int epochs, int bestEpoch, double[] validationAuc) {}

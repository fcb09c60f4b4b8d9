package dev.contrastive.models.train;

/**
 * Receives every step's scalars, after the update and after any checkpoint of that step is on
 * disk. Runs on the training thread: a slow listener slows training, and an exception from it
 * ends {@link Trainer#fit()} (the checkpoints written so far stay valid).
 */
@FunctionalInterface
public interface StepListener {

  void onStep(StepMetrics metrics);
}

package dev.contrastive.models.train;

/**
 * Follows a {@link Trainer#fit()}: its start, every step, every validation and its end. Runs on
 * the training thread after the step's metrics and checkpoint are on disk; a slow listener slows
 * training, and an exception from it ends the run (the checkpoints written so far stay valid).
 */
public interface TrainingListener extends StepListener {

  /**
   * Called once before the first step.
   *
   * @param completed steps already done (restored from a checkpoint), 0 for a fresh run
   * @param total the run's length in steps
   */
  default void onStart(long completed, long total) {}

  default void onValidation(ValidationMetrics metrics) {}

  /** Called once when the run ends normally (not when it throws). */
  default void onEnd(TrainingResult result) {}
}

package dev.contrastive.models.train;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How a {@link Trainer#fit()} ended.
 *
 * @param steps steps completed, the resumed ones included
 * @param plannedSteps the configured length; more than {@code steps} when early stopping or a time
 *     limit ended the run
 * @param earlyStopped whether early stopping ended the run before its configured length
 * @param lastValidation the last validation of the run, if it validated
 * @param start how the run started: in memory, a new run directory or a resumed one
 * @param checkpoint the checkpoint holding the final weights; empty in memory
 */
public record TrainingResult(long steps, long plannedSteps, boolean earlyStopped,
    Optional<ValidationMetrics> lastValidation, RunStart.StartMode start, Optional<Path> checkpoint) {}

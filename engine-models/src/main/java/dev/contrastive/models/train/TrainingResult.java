package dev.contrastive.models.train;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How a {@link Trainer#fit()} ended.
 *
 * @param steps steps completed, the resumed ones included
 * @param plannedSteps the configured length; more than {@code steps} when the run stopped early
 * @param stop why the run ended
 * @param lastValidation the last validation of the run, if it validated
 * @param start how the run started: in memory, a new run directory or a resumed one
 * @param checkpoint the checkpoint holding the final weights; empty in memory
 */
public record TrainingResult(
        long steps,
        long plannedSteps,
        Stop stop,
        Optional<ValidationMetrics> lastValidation,
        RunStart.StartMode start,
        Optional<Path> checkpoint) {

    /** Why a run ended. */
    public enum Stop {
        /** It ran its configured length. */
        COMPLETED,
        /** Early stopping ended it: the monitored validation metric stopped improving. */
        EARLY_STOPPING,
        /** Its time limit ({@link Trainer#withTimeLimit}) passed; rerunning continues. */
        TIME_LIMIT,
        /** A listener asked it to stop (a signal, in the command line); rerunning continues. */
        REQUESTED
    }

    /** Whether early stopping ended the run. */
    public boolean earlyStopped() {
        return stop == Stop.EARLY_STOPPING;
    }
}

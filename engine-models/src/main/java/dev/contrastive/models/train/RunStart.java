package dev.contrastive.models.train;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How a {@link Trainer#fit()} starts.
 *
 * @param completed steps already done (restored from a checkpoint), 0 for a fresh run
 * @param total the run's length in steps
 * @param mode in memory, a new run directory, or a resumed one
 * @param runDirectory where the run writes, empty in memory
 */
public record RunStart(long completed, long total, StartMode mode, Optional<Path> runDirectory) {

    /** Where a run keeps its state. */
    public enum StartMode {
        /** Nothing written: the trained weights are in the method's parameters when fit() returns. */
        IN_MEMORY,
        /** A new run directory: checkpoints, metrics.csv, TensorBoard events, curves. */
        NEW_RUN,
        /** An existing run directory, continued from its newest valid checkpoint. */
        RESUMED
    }
}

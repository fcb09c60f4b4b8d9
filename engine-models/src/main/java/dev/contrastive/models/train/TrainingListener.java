package dev.contrastive.models.train;

import java.util.Map;

/**
 * Follows a {@link Trainer#fit()}: its start, every step, and its end, as DJL's {@code
 * TrainingListener}s and Lightning's callbacks do. The metrics files, the progress line, early
 * stopping and the periodic native-memory collection are all listeners.
 *
 * <p>Runs on the training thread. {@link #onStep} comes after the update and before that step's
 * checkpoint, so that what a listener records (a metrics row, early stopping's count) is in the
 * checkpoint that follows; a slow listener slows training, and an exception from it ends the run
 * (the checkpoints written so far stay valid). {@link #close()} runs once however the run ends.
 */
public interface TrainingListener extends AutoCloseable {

    /** Called once before the first step. */
    default void onStart(RunStart start) {}

    /** Called after every step. */
    default void onStep(StepReport report) {}

    /** Called once when the run ends normally (not when it throws), after the last checkpoint. */
    default void onEnd(TrainingResult result) {}

    /** Asked after every step: true ends the run after that step, with a checkpoint. */
    default boolean stopRequested() {
        return false;
    }

    /**
     * What this listener must keep across a resume, as named integer arrays stored in the checkpoint;
     * the names must not collide with other listeners'. Empty for a listener with no such state.
     */
    default Map<String, long[]> checkpointState() {
        return Map.of();
    }

    /** Restores what {@link #checkpointState()} saved, before {@link #onStart}. */
    default void restoreState(Map<String, long[]> state) {}

    /** Releases what the listener holds (files); runs however the run ended. */
    @Override
    default void close() {}
}

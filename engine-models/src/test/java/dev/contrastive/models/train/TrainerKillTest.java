package dev.contrastive.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A training process killed with SIGKILL (no shutdown hook, no flush: as when a node dies or a job
 * is pre-empted) resumes from its last checkpoint and then takes exactly the steps the uninterrupted
 * run took: the same step numbers and the same losses.
 */
class TrainerKillTest {

  /** The child's planned length: far more than it gets to before the kill, however fast it runs. */
  private static final long CHILD_STEPS = 400;
  private static final long CHECKPOINT_EVERY = 5;
  /** Steps compared after the resume. */
  private static final long AFTER = 10;

  @TempDir Path tmp;

  @Test
  void aKilledRunResumesWithTheSameStepsAndLosses() throws Exception {
    Path killed = tmp.resolve("killed");
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), TinyRun.class.getName(),
        killed.toString(), Long.toString(CHILD_STEPS), Long.toString(CHECKPOINT_EVERY))
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("child.log").toFile())
        .start();
    long checkpointed = waitForCheckpoint(child, killed, 10);
    child.destroyForcibly(); // SIGKILL on Linux
    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
    assertEquals(137, child.exitValue(), "killed by SIGKILL (128 + 9)");
    long resumedFrom = CheckpointIO.latest(killed).newest().orElseThrow().checkpoint().step();
    assertTrue(resumedFrom >= checkpointed && resumedFrom < CHILD_STEPS,
        "killed mid-run: newest checkpoint " + resumedFrom + " of " + CHILD_STEPS);
    // A run may be resumed with another length; both runs below end AFTER steps past the checkpoint.
    long steps = resumedFrom + AFTER;

    List<StepMetrics> resumed = new ArrayList<>();
    List<StepMetrics> straight = new ArrayList<>();
    try (Dataset data = TinyRun.trainImages()) {
      try (AmdimEncoder fresh = AmdimEncoder.create(TinyRun.TINY, DataType.FLOAT, TinyRun.MODEL_SEED + 1)) {
        TrainingResult r = TinyRun.trainer(TinyRun.config(steps, CHECKPOINT_EVERY, killed), fresh, data)
            .onStep(resumed::add).fit();
        assertEquals(steps, r.steps());
      }
      try (AmdimEncoder model = AmdimEncoder.create(TinyRun.TINY, DataType.FLOAT, TinyRun.MODEL_SEED)) {
        TinyRun.trainer(TinyRun.config(steps, CHECKPOINT_EVERY, tmp.resolve("straight")), model, data)
            .onStep(straight::add).fit();
      }
    }
    assertEquals(resumedFrom + 1, resumed.get(0).step(), "the first step after the checkpoint");
    List<StepMetrics> expected = straight.subList((int) resumedFrom, (int) steps);
    assertEquals(expected.stream().map(StepMetrics::step).toList(), resumed.stream().map(StepMetrics::step).toList());
    assertEquals(expected.stream().map(StepMetrics::loss).toList(), resumed.stream().map(StepMetrics::loss).toList(),
        "losses after resuming from step " + resumedFrom);
    // The killed run's metrics rows past its checkpoint were replaced by the resumed run's.
    assertEquals(TrainerTest.series(tmp.resolve("straight"), "train/loss"), TrainerTest.series(killed, "train/loss"));
  }

  /** Polls until the run directory holds a checkpoint of at least {@code step}; returns its step. */
  private static long waitForCheckpoint(Process child, Path runDir, long step) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (!child.isAlive()) {
        throw new AssertionError("the child ended before it was killed, exit " + child.exitValue());
      }
      if (java.nio.file.Files.isDirectory(runDir)) {
        Optional<CheckpointIO.Found> found = CheckpointIO.latest(runDir).newest();
        if (found.isPresent() && found.get().checkpoint().step() >= step) {
          return found.get().checkpoint().step();
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no checkpoint of step " + step + " within 5 minutes");
  }
}

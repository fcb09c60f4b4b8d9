package dev.contrastive.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A training process killed with SIGKILL (no shutdown hook, no flush: as when a node dies or a job
 * is pre-empted) resumes from its last checkpoint and then takes exactly the steps the
 * uninterrupted run took: the same step numbers and the same losses.
 */
class TrainerKillTest {

    /** The child's planned length: far more than it gets to before the kill, however fast it runs. */
    private static final long CHILD_STEPS = 400;

    private static final long CHECKPOINT_EVERY = 5;

    /** Steps compared after the resume. */
    private static final long AFTER = 10;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"amdim", "cpc", "yadim", "simclr"})
    void aKilledRunResumesWithTheSameStepsAndLosses(String method) throws Exception {
        Path killed = tmp.resolve("killed");
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        TinyRun.class.getName(),
                        killed.toString(),
                        method,
                        Long.toString(CHILD_STEPS),
                        Long.toString(CHECKPOINT_EVERY))
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child.log").toFile())
                .start();
        long checkpointed = waitForCheckpoint(child, killed, 10);
        child.destroyForcibly(); // SIGKILL on Linux
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
        assertEquals(137, child.exitValue(), "killed by SIGKILL (128 + 9)");
        long resumedFrom =
                CheckpointIO.latest(killed).newest().orElseThrow().checkpoint().step();
        assertTrue(
                resumedFrom >= checkpointed && resumedFrom < CHILD_STEPS,
                "killed mid-run: newest checkpoint " + resumedFrom + " of " + CHILD_STEPS);
        // A run may be resumed with another length; both runs below end AFTER steps past the
        // checkpoint.
        long steps = resumedFrom + AFTER;

        List<StepMetrics> resumed = new ArrayList<>();
        List<StepMetrics> straight = new ArrayList<>();
        TrainerConfig config = TinyRun.config(method, steps, CHECKPOINT_EVERY);
        try (Dataset data = TinyRun.trainImages()) {
            try (Method fresh = TinyRun.create(method, TinyRun.MODEL_SEED + 1)) {
                TrainingResult r = new Trainer(config, fresh, data)
                        .inDirectory(killed, Trainer.RunMode.RESUME)
                        .listen(collect(resumed))
                        .fit();
                assertEquals(steps, r.steps());
            }
            try (Method model = TinyRun.create(method, TinyRun.MODEL_SEED)) {
                new Trainer(config, model, data)
                        .inDirectory(tmp.resolve("straight"), Trainer.RunMode.NEW)
                        .listen(collect(straight))
                        .fit();
            }
        }
        assertEquals(resumedFrom + 1, resumed.get(0).step(), "the first step after the checkpoint");
        List<StepMetrics> expected = straight.subList((int) resumedFrom, (int) steps);
        assertEquals(
                expected.stream().map(StepMetrics::step).toList(),
                resumed.stream().map(StepMetrics::step).toList());
        assertEquals(
                expected.stream().map(StepMetrics::loss).toList(),
                resumed.stream().map(StepMetrics::loss).toList(),
                "losses after resuming from step " + resumedFrom);
        // The killed run's metrics rows past its checkpoint were replaced by the resumed run's.
        assertEquals(
                TrainerTest.series(tmp.resolve("straight"), "train/loss"), TrainerTest.series(killed, "train/loss"));
    }

    private static TrainingListener collect(List<StepMetrics> into) {
        return new TrainingListener() {
            @Override
            public void onStep(StepReport report) {
                into.add(report.metrics());
            }
        };
    }

    /**
     * Polls until the run directory holds a checkpoint of at least {@code step}; returns its step.
     */
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

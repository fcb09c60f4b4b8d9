package dev.contrastive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.FashionMnist;
import dev.contrastive.models.train.TinyRun;
import dev.contrastive.models.train.Trainer;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import dev.contrastive.models.train.metrics.CsvMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code contrastive train} in child processes, as a batch system runs it: a second process on a
 * run directory in use is refused while the first completes every step exactly once; SIGTERM (what
 * SLURM sends before a time limit) ends a run after its current step with a checkpoint and exit
 * code 143, and the rerun continues with the losses of an uninterrupted run.
 */
class TrainProcessTest {

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static Path data;

    @BeforeAll
    static void writeData() throws IOException {
        data = TinyRun.subsetFile(shared.resolve("train.h5"), FashionMnist.Split.TRAIN, 256);
    }

    private static List<String> trainArgs(Path runDir, long steps) {
        return List.of(CliFixtures.train(data, runDir, steps, "--checkpoint-every", "1000"));
    }

    private static Process child(List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ContrastiveCli.class.getName()));
        command.addAll(args);
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /** Polls until the run's metrics hold at least {@code rows} steps. */
    private static long waitForSteps(Process child, Path runDir, long rows, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        Path csv = runDir.resolve(Trainer.METRICS_CSV);
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                throw new AssertionError(
                        "the child ended early, exit " + child.exitValue() + ":\n" + Files.readString(log));
            }
            if (Files.exists(csv)) {
                long n = Files.readAllLines(csv).size() - 1;
                if (n >= rows) {
                    return n;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("fewer than " + rows + " steps within 5 minutes:\n" + Files.readString(log));
    }

    private static List<Double> losses(Path runDir) throws IOException {
        return CsvMetrics.read(runDir.resolve(Trainer.METRICS_CSV)).series("train/loss").stream()
                .map(p -> p[1])
                .toList();
    }

    @Test
    void aSecondProcessOnARunDirectoryInUseIsRefusedAndTheFirstLogsEveryStepOnce() throws Exception {
        Path runDir = dir.resolve("run");
        Process first = child(trainArgs(runDir, 40), dir.resolve("first.log"));
        waitForSteps(first, runDir, 2, dir.resolve("first.log"));
        Process second = child(trainArgs(runDir, 40), dir.resolve("second.log"));
        assertTrue(second.waitFor(2, TimeUnit.MINUTES), "the second process did not end");
        String refusal = Files.readString(dir.resolve("second.log"));
        assertEquals(2, second.exitValue(), refusal);
        assertTrue(
                refusal.contains("train: run directory " + runDir + " is in use by process " + first.pid()), refusal);
        assertTrue(first.waitFor(5, TimeUnit.MINUTES), "the first process did not end");
        assertEquals(0, first.exitValue(), Files.readString(dir.resolve("first.log")));
        List<Double> steps = CsvMetrics.read(runDir.resolve(Trainer.METRICS_CSV)).series("train/loss").stream()
                .map(p -> p[0])
                .toList();
        assertEquals(
                LongStream.rangeClosed(1, 40).mapToDouble(s -> s).boxed().toList(), steps, "every step exactly once");
    }

    @Test
    void sigtermEndsTheRunWithACheckpointAndTheRerunContinuesAsIfUninterrupted() throws Exception {
        Path runDir = dir.resolve("run");
        Path log = dir.resolve("child.log");
        Process child = child(trainArgs(runDir, 400), log);
        waitForSteps(child, runDir, 5, log);
        child.destroy(); // SIGTERM on Linux
        assertTrue(child.waitFor(2, TimeUnit.MINUTES), "the child did not stop after SIGTERM");
        String output = Files.readString(log);
        assertEquals(143, child.exitValue(), output);
        assertTrue(output.contains("stopped by a signal; rerun to continue"), output);
        long stopped =
                CheckpointIO.latest(runDir).newest().orElseThrow().checkpoint().step();
        assertTrue(stopped >= 5 && stopped < 400, "checkpoint of the step the signal ended: " + stopped);
        assertEquals(stopped, losses(runDir).size(), "the metrics end at the checkpoint");

        long end = stopped + 5;
        assertEquals(0, inProcess(trainArgs(runDir, end)));
        Path straight = dir.resolve("straight");
        assertEquals(0, inProcess(trainArgs(straight, end)));
        assertEquals(losses(straight), losses(runDir), "the resumed run's losses are the uninterrupted run's");
    }

    private static int inProcess(List<String> args) {
        return ContrastiveCli.commandLine()
                .setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(new StringWriter()))
                .execute(args.toArray(String[]::new));
    }
}

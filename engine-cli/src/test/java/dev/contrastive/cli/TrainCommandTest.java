package dev.contrastive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.FashionMnist;
import dev.contrastive.models.train.TinyRun;
import dev.contrastive.models.train.TrainedModel;
import dev.contrastive.models.train.Trainer;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import dev.contrastive.models.train.metrics.CsvMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code train} end to end on 64 embedded images with the small encoder, a few steps each. */
class TrainCommandTest {

    @TempDir
    Path dir;

    /** "tiny" is 64 embedded training images of every class; anything else is not a dataset. */
    private static Dataset tiny(String spec) {
        if (!spec.equals("tiny")) {
            throw new IllegalArgumentException("no dataset '" + spec + "'");
        }
        try {
            return TinyRun.strided(FashionMnist.embedded(FashionMnist.Split.TRAIN), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CliRun train(String... args) {
        return CliRun.of(new CommandLine(new TrainCommand(TrainCommandTest::tiny)), args);
    }

    @Test
    void configFileFlagsOverrideAndARerunOfTheRunDirectoryResumes() throws Exception {
        Path runDir = dir.resolve("run");
        Path config = Files.writeString(
                dir.resolve("job.yaml"),
                String.join(
                        "\n",
                        "run-dir: " + runDir,
                        "data: tiny",
                        "val-data: tiny",
                        "steps: 100       # overridden by the flag",
                        "batch: 16",
                        "val-batches: 1",
                        "checkpoint-every: 2",
                        "warmup: 0",
                        ""));
        CliRun first = train("--config", config.toString(), "--steps", "3");
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("trained 3 of 3 steps"), first.out());
        assertTrue(first.out().endsWith("run directory: " + runDir + System.lineSeparator()), first.out());
        String job = Files.readString(runDir.resolve(TrainCommand.JOB_FILE));
        assertTrue(job.contains("steps: \"3\""), job);
        // The command draws the curves; the library's trainer writes only metrics.csv and TensorBoard
        // events.
        assertTrue(Files.size(runDir.resolve("loss.png")) > 1000 && Files.size(runDir.resolve("accuracy.png")) > 1000);
        assertEquals(
                3,
                CheckpointIO.latest(runDir).newest().orElseThrow().checkpoint().step());

        // Naming the run directory alone brings the options back; --steps 5 extends the run by 2 steps.
        CliRun again = train("--run-dir", runDir.toString(), "--steps", "5");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("trained 5 of 5 steps"), again.out());
        assertEquals(
                5,
                CsvMetrics.read(runDir.resolve(Trainer.METRICS_CSV))
                        .series("train/loss")
                        .size());
    }

    @Test
    void theTopLevelCommandLineTrainsFromAConfigFile() throws Exception {
        Path runDir = dir.resolve("top");
        Path config = Files.writeString(
                dir.resolve("top.yaml"),
                "data: fashion-mnist-subset:train\nval-data: none\nbatch: 16\nsteps: 2\nrun-dir: " + runDir + "\n");
        StringWriter out = new StringWriter();
        int code = ContrastiveCli.commandLine()
                .setOut(new PrintWriter(out))
                .execute("train", "--config", config.toString(), "--decoupled-weight-decay", "--steps", "1");
        assertEquals(0, code, out.toString());
        assertTrue(out.toString().contains("trained 1 of 1 steps"), out.toString());
        String job = Files.readString(runDir.resolve(TrainCommand.JOB_FILE));
        assertTrue(job.contains("decoupled-weight-decay: \"true\""), job);
    }

    @Test
    void anUnknownConfigKeyIsAUsageErrorListingTheKnownOnes() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.yaml"), "stepz: 3\n");
        CliRun r = train(
                "--config", config.toString(), "--run-dir", dir.resolve("r").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown key 'stepz'") && r.err().contains("steps"), r.err());
    }

    @Test
    void anOutOfRangeValueNamesTheField() {
        CliRun r = train(
                "--data",
                "tiny",
                "--val-data",
                "none",
                "--batch",
                "1",
                "--run-dir",
                dir.resolve("r").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("trainer.batch must be in [2, 65536], got 1"), r.err());
        assertTrue(!Files.exists(dir.resolve("r")), "nothing written for a bad option");
    }

    @Test
    void replicasAndMicroBatchesSplitTheBatchAndABatchThatDoesNotDivideIsAUsageError() throws Exception {
        Path runDir = dir.resolve("split");
        CliRun r = train(
                "--data",
                "tiny",
                "--val-data",
                "none",
                "--batch",
                "16",
                "--steps",
                "2",
                "--replicas",
                "2",
                "--micro-batch",
                "4",
                "--run-dir",
                runDir.toString());
        assertEquals(0, r.code(), r.err());
        try (TrainedModel trained = TrainedModel.load(runDir)) {
            assertEquals(2, trained.config().replicas());
            assertEquals(4, trained.config().microBatch());
        }
        CliRun uneven = train(
                "--data",
                "tiny",
                "--val-data",
                "none",
                "--batch",
                "16",
                "--replicas",
                "3",
                "--run-dir",
                dir.resolve("uneven").toString());
        assertEquals(2, uneven.code());
        assertTrue(
                uneven.err().contains("trainer.batch of 16 does not divide among trainer.replicas = 3"), uneven.err());
        assertTrue(!Files.exists(dir.resolve("uneven")), "nothing written for a bad option");
    }

    /**
     * The CPU backend has no collectives for several processes: refused before anything is written.
     */
    @Test
    void distributedOnTheCpuBackendIsAUsageError() {
        CliRun r = train(
                "--data",
                "tiny",
                "--val-data",
                "none",
                "--steps",
                "1",
                "--distributed",
                "--run-dir",
                dir.resolve("d").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--distributed: training across processes needs the CUDA backend"), r.err());
        assertTrue(r.err().contains("--replicas N"), r.err());
        assertTrue(!Files.exists(dir.resolve("d")), "nothing written for a refused launch");
    }

    @Test
    void anUnknownDatasetNamesTheOption() {
        CliRun r = train("--data", "nope", "--run-dir", dir.resolve("r").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--data 'nope' cannot be opened"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"amdim", "cpc", "yadim", "simclr"})
    void everyMethodTrainsFromTheCommandLineWithItsDefaultPreset(String method) throws Exception {
        Path runDir = dir.resolve(method);
        CliRun r = train(
                "--method",
                method,
                "--data",
                "tiny",
                "--val-data",
                "none",
                "--batch",
                "16",
                "--steps",
                "2",
                "--run-dir",
                runDir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("trained 2 of 2 steps"), r.out());
        try (TrainedModel trained = TrainedModel.load(runDir)) {
            assertEquals(method, trained.config().method().method());
        }
    }

    @Test
    void anUnknownMethodOrAPresetThatDoesNotFitTheMethodIsAUsageErrorListingTheChoices() {
        CliRun unknown = train(
                "--method",
                "moco",
                "--data",
                "tiny",
                "--run-dir",
                dir.resolve("u").toString());
        assertEquals(2, unknown.code());
        assertTrue(
                unknown.err().contains("--method: method must be one of amdim, cpc, yadim, simclr, got 'moco'"),
                unknown.err());
        CliRun patches = train(
                "--method",
                "amdim",
                "--preset",
                "fashion-mnist-patches",
                "--data",
                "tiny",
                "--val-data",
                "none",
                "--run-dir",
                dir.resolve("p").toString());
        assertEquals(2, patches.code());
        assertTrue(
                patches.err().contains("amdim takes views of 1 x 32 x 32, the preset makes 49 x 1 x 8 x 8"),
                patches.err());
        assertTrue(!Files.exists(dir.resolve("p")), "nothing written for a bad option");
    }

    @Test
    void resumingARunDirectoryWithAnotherMethodIsRefusedWithExitCode2AndChangesNothing() throws Exception {
        Path runDir = dir.resolve("run");
        CliRun first = train(
                "--data",
                "tiny",
                "--val-data",
                "none",
                "--batch",
                "16",
                "--steps",
                "2",
                "--run-dir",
                runDir.toString());
        assertEquals(0, first.code(), first.err());
        String job = Files.readString(runDir.resolve(TrainCommand.JOB_FILE));
        CliRun other = train(
                "--method",
                "cpc",
                "--data",
                "tiny",
                "--val-data",
                "none",
                "--batch",
                "16",
                "--steps",
                "4",
                "--run-dir",
                runDir.toString());
        assertEquals(2, other.code(), other.out() + other.err());
        assertTrue(other.err().contains("holds a run of method amdim, this run trains cpc"), other.err());
        assertEquals(job, Files.readString(runDir.resolve(TrainCommand.JOB_FILE)), "job.yaml untouched");
    }
}

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
import java.util.ArrayList;
import java.util.List;
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

    /** {@code train} on "tiny" without validation into {@code runDir}, with {@code more} options. */
    private static CliRun trainTiny(Path runDir, String... more) {
        List<String> args = new ArrayList<>(List.of("--data", "tiny", "--val-data", "none"));
        args.addAll(List.of(more));
        args.addAll(List.of("--run-dir", runDir.toString()));
        return train(args.toArray(String[]::new));
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
        CliRun r = trainTiny(dir.resolve("r"), "--batch", "1");
        r.assertRefused("trainer.batch must be in [2, 65536], got 1");
        assertTrue(!Files.exists(dir.resolve("r")), "nothing written for a bad option");
    }

    @Test
    void replicasAndMicroBatchesSplitTheBatchAndABatchThatDoesNotDivideIsAUsageError() throws Exception {
        Path runDir = dir.resolve("split");
        CliRun r = trainTiny(runDir, "--batch", "16", "--steps", "2", "--replicas", "2", "--micro-batch", "4");
        assertEquals(0, r.code(), r.err());
        try (TrainedModel trained = TrainedModel.load(runDir)) {
            assertEquals(2, trained.config().replicas());
            assertEquals(4, trained.config().microBatch());
        }
        CliRun uneven = trainTiny(dir.resolve("uneven"), "--batch", "16", "--replicas", "3");
        uneven.assertRefused("trainer.batch of 16 does not divide among trainer.replicas = 3");
        assertTrue(!Files.exists(dir.resolve("uneven")), "nothing written for a bad option");
    }

    /**
     * The CPU backend has no collectives for several processes: refused before anything is written.
     */
    @Test
    void distributedOnTheCpuBackendIsAUsageError() {
        CliRun r = trainTiny(dir.resolve("d"), "--steps", "1", "--distributed");
        r.assertRefused("--distributed: training across processes needs the CUDA backend");
        assertTrue(r.err().contains("--replicas N"), r.err());
        assertTrue(!Files.exists(dir.resolve("d")), "nothing written for a refused launch");
    }

    @Test
    void anUnknownDatasetNamesTheOption() {
        CliRun r = train("--data", "nope", "--run-dir", dir.resolve("r").toString());
        r.assertRefused("--data 'nope' cannot be opened");
    }

    @ParameterizedTest
    @ValueSource(strings = {"amdim", "cpc", "yadim", "simclr"})
    void everyMethodTrainsFromTheCommandLineWithItsDefaultPreset(String method) throws Exception {
        Path runDir = dir.resolve(method);
        CliRun r = trainTiny(runDir, "--method", method, "--batch", "16", "--steps", "2");
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
        unknown.assertRefused("--method: method must be one of amdim, cpc, yadim, simclr, got 'moco'");
        CliRun patches = trainTiny(dir.resolve("p"), "--method", "amdim", "--preset", "fashion-mnist-patches");
        patches.assertRefused("amdim takes views of 1 x 32 x 32, the preset makes 49 x 1 x 8 x 8");
        assertTrue(!Files.exists(dir.resolve("p")), "nothing written for a bad option");
    }

    @Test
    void resumingARunDirectoryWithAnotherMethodIsRefusedWithExitCode2AndChangesNothing() throws Exception {
        Path runDir = dir.resolve("run");
        CliRun first = trainTiny(runDir, "--batch", "16", "--steps", "2");
        assertEquals(0, first.code(), first.err());
        String job = Files.readString(runDir.resolve(TrainCommand.JOB_FILE));
        CliRun other = trainTiny(runDir, "--method", "cpc", "--batch", "16", "--steps", "4");
        other.assertRefused("holds a run of method amdim, this run trains cpc");
        assertEquals(job, Files.readString(runDir.resolve(TrainCommand.JOB_FILE)), "job.yaml untouched");
    }
}

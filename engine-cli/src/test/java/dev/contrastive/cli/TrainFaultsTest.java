package dev.contrastive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.Datasets;
import dev.contrastive.augment.data.FashionMnist;
import dev.contrastive.models.train.TinyRun;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Ordinary mistakes get one line on stderr and exit code 2, with no usage text and nothing written;
 * what a run directory holds decides what a resume may do.
 */
class TrainFaultsTest {

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static Path data;
    private static Path otherData;

    @BeforeAll
    static void writeData() throws IOException {
        data = TinyRun.subsetFile(shared.resolve("train.h5"), FashionMnist.Split.TRAIN, 64);
        otherData = TinyRun.subsetFile(shared.resolve("test.h5"), FashionMnist.Split.TEST, 64);
    }

    private static CliRun cli(String... args) {
        return CliRun.contrastive(args);
    }

    private CliRun train(Path runDir, String... more) {
        return cli(CliFixtures.train(data, runDir, 2, more));
    }

    @Test
    void aMissingConfigOrAConfigThatIsADirectoryIsOneLine() {
        CliRun missing =
                train(dir.resolve("r"), "--config", dir.resolve("none.yaml").toString());
        missing.assertRefusedInOneLine("none.yaml does not exist");
        CliRun directory = train(dir.resolve("r"), "--config", dir.toString());
        directory.assertRefusedInOneLine("is a directory");
        assertFalse(Files.exists(dir.resolve("r")), "nothing written");
    }

    @Test
    void aRunDirectoryThatIsAFileIsOneLine() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        CliRun r = train(file);
        r.assertRefusedInOneLine(file + " is a file");
    }

    @Test
    void dataSmallerThanTheBatchOrAPresetThatDoesNotFitTheDataIsOneLine() {
        CliRun small = cli(
                "train",
                "--data",
                data.toString(),
                "--val-data",
                "none",
                "--batch",
                "128",
                "--run-dir",
                dir.resolve("s").toString());
        small.assertRefusedInOneLine("has 64 images, fewer than one batch of 128");
        CliRun preset = train(dir.resolve("p"), "--preset", "amdim-cifar");
        preset.assertRefusedInOneLine("preset 'amdim-cifar'");
        assertFalse(Files.exists(dir.resolve("s")) || Files.exists(dir.resolve("p")), "nothing written");
    }

    @Test
    void negativeWarmUpIsRefused() {
        CliRun r = train(dir.resolve("w"), "--warmup", "-5");
        r.assertRefusedInOneLine("--warmup must be >= 0");
    }

    @Test
    void resumingWithOtherDataIsRefusedNamingBoth() throws IOException {
        Path runDir = dir.resolve("run");
        assertEquals(0, train(runDir).code());
        CliRun other = cli("train", "--run-dir", runDir.toString(), "--data", otherData.toString(), "--steps", "4");
        assertEquals(2, other.code(), other.err());
        String line = other.line();
        assertTrue(line.contains("was trained on '") && line.contains("this run's data is '"), line);
        assertTrue(line.contains(data.toString()) && line.contains(otherData.toString()), line);
        assertEquals(
                2,
                CheckpointIO.latest(runDir).newest().orElseThrow().checkpoint().step(),
                "untouched");
    }

    @Test
    void anEmptyJobFileIsRefusedRatherThanReplacedByDefaults() throws IOException {
        Path runDir = dir.resolve("run");
        assertEquals(0, train(runDir).code());
        Files.writeString(runDir.resolve(TrainCommand.JOB_FILE), "");
        CliRun r = cli("train", "--run-dir", runDir.toString());
        r.assertRefusedInOneLine("job.yaml is empty");
        assertEquals("", Files.readString(runDir.resolve(TrainCommand.JOB_FILE)));
    }

    @Test
    void whenEveryCheckpointIsDamagedNothingRestartsUnlessAsked() throws IOException {
        Path runDir = dir.resolve("run");
        assertEquals(0, train(runDir, "--checkpoint-every", "1").code());
        List<Path> checkpoints = checkpoints(runDir);
        assertEquals(2, checkpoints.size());
        for (Path c : checkpoints) {
            byte[] b = Files.readAllBytes(c);
            b[b.length / 2] ^= 0x5a;
            Files.write(c, b);
        }
        CliRun refused = cli("train", "--run-dir", runDir.toString());
        refused.assertRefusedInOneLine("every checkpoint in " + runDir + " is damaged");
        CliRun restarted = cli("train", "--run-dir", runDir.toString(), "--restart", "--steps", "3");
        assertEquals(0, restarted.code(), restarted.err());
        assertEquals(
                2,
                CliFixtures.fileNames(runDir).stream()
                        .filter(n -> n.endsWith(".damaged"))
                        .count(),
                "damaged checkpoints are kept aside, never deleted");
        assertEquals(
                3,
                CheckpointIO.latest(runDir).newest().orElseThrow().checkpoint().step());
    }

    @Test
    void outputsThatAreDirectoriesAreOneLine() throws IOException {
        Path runDir = TinyRun.train(dir.resolve("tiny"), "amdim", 2);
        CliRun export = cli(CliFixtures.export(runDir, data, dir));
        export.assertRefusedInOneLine(dir + " is a directory");
        CliRun eval = cli(CliFixtures.eval(runDir, data, otherData, "--out", dir.toString()));
        eval.assertRefusedInOneLine(dir + " is a directory");
    }

    @Test
    void aDataSetThatFailsDuringTrainingIsOneLineNamingIt() throws IOException {
        Path runDir = dir.resolve("bad-data");
        StringWriter err = new StringWriter();
        CommandLine line = new CommandLine(new TrainCommand(spec -> failing(spec)))
                .setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err, true));
        int code = line.execute(
                "--data",
                "failing",
                "--val-data",
                "none",
                "--batch",
                "16",
                "--steps",
                "6",
                "--run-dir",
                runDir.toString());
        assertEquals(2, code, err.toString());
        assertTrue(
                err.toString().strip().startsWith("train: ") && err.toString().contains("damaged image 40"),
                err.toString());
    }

    /** 64 images whose 41st read fails as a damaged file would. */
    private static Dataset failing(String spec) {
        Dataset base = Datasets.open(data.toString());
        return new Dataset() {
            @Override
            public dev.contrastive.augment.data.DatasetInfo info() {
                return base.info();
            }

            @Override
            public dev.contrastive.augment.data.Image get(int index) {
                if (index == 40) {
                    throw new UncheckedIOException(new IOException("damaged image 40 of " + data));
                }
                return base.get(index);
            }

            @Override
            public void close() throws IOException {
                base.close();
            }
        };
    }

    private static List<Path> checkpoints(Path runDir) throws IOException {
        return CliFixtures.fileNames(runDir).stream()
                .filter(n -> n.matches("ckpt-\\d+\\.bin"))
                .map(runDir::resolve)
                .toList();
    }
}

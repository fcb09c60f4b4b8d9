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
import java.util.stream.Stream;
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
        List<String> args = new java.util.ArrayList<>(List.of(
                "train",
                "--data",
                data.toString(),
                "--val-data",
                "none",
                "--batch",
                "16",
                "--steps",
                "2",
                "--run-dir",
                runDir.toString()));
        args.addAll(List.of(more));
        return cli(args.toArray(String[]::new));
    }

    @Test
    void aMissingConfigOrAConfigThatIsADirectoryIsOneLine() {
        CliRun missing =
                train(dir.resolve("r"), "--config", dir.resolve("none.yaml").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.line().contains("none.yaml does not exist"), missing.err());
        CliRun directory = train(dir.resolve("r"), "--config", dir.toString());
        assertEquals(2, directory.code());
        assertTrue(directory.line().contains("is a directory"), directory.err());
        assertFalse(Files.exists(dir.resolve("r")), "nothing written");
    }

    @Test
    void aRunDirectoryThatIsAFileIsOneLine() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        CliRun r = train(file);
        assertEquals(2, r.code());
        assertTrue(r.line().contains(file + " is a file"), r.err());
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
        assertEquals(2, small.code());
        assertTrue(small.line().contains("has 64 images, fewer than one batch of 128"), small.err());
        CliRun preset = train(dir.resolve("p"), "--preset", "amdim-cifar");
        assertEquals(2, preset.code());
        assertTrue(preset.line().contains("preset 'amdim-cifar'"), preset.err());
        assertFalse(Files.exists(dir.resolve("s")) || Files.exists(dir.resolve("p")), "nothing written");
    }

    @Test
    void negativeWarmUpIsRefused() {
        CliRun r = train(dir.resolve("w"), "--warmup", "-5");
        assertEquals(2, r.code());
        assertTrue(r.line().contains("--warmup must be >= 0"), r.err());
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
        assertEquals(2, r.code());
        assertTrue(r.line().contains("job.yaml is empty"), r.err());
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
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.line().contains("every checkpoint in " + runDir + " is damaged"), refused.err());
        CliRun restarted = cli("train", "--run-dir", runDir.toString(), "--restart", "--steps", "3");
        assertEquals(0, restarted.code(), restarted.err());
        try (Stream<Path> files = Files.list(runDir)) {
            assertEquals(
                    2,
                    files.filter(p -> p.getFileName().toString().endsWith(".damaged"))
                            .count(),
                    "damaged checkpoints are kept aside, never deleted");
        }
        assertEquals(
                3,
                CheckpointIO.latest(runDir).newest().orElseThrow().checkpoint().step());
    }

    @Test
    void outputsThatAreDirectoriesAreOneLine() throws IOException {
        Path runDir = TinyRun.train(dir.resolve("tiny"), "amdim", 2);
        CliRun export =
                cli("export", "--checkpoint", runDir.toString(), "--data", data.toString(), "--out", dir.toString());
        assertEquals(2, export.code());
        assertTrue(export.line().contains(dir + " is a directory"), export.err());
        CliRun eval = cli(
                "eval",
                "--checkpoint",
                runDir.toString(),
                "--train-data",
                data.toString(),
                "--test-data",
                otherData.toString(),
                "--out",
                dir.toString());
        assertEquals(2, eval.code());
        assertTrue(eval.line().contains(dir + " is a directory"), eval.err());
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
        try (Stream<Path> files = Files.list(runDir)) {
            return files.filter(p -> p.getFileName().toString().matches("ckpt-\\d+\\.bin"))
                    .sorted()
                    .toList();
        }
    }
}

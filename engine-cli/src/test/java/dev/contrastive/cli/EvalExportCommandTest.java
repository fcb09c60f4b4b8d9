package dev.contrastive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.Datasets;
import dev.contrastive.augment.data.FashionMnist;
import dev.contrastive.models.eval.EvaluationReport;
import dev.contrastive.models.eval.FeatureExport;
import dev.contrastive.models.eval.FeatureExtractor;
import dev.contrastive.models.eval.FeatureSet;
import dev.contrastive.models.train.TinyRun;
import dev.contrastive.models.train.TrainedModel;
import dev.contrastive.models.train.TrainerConfig;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The eval and export subcommands end to end: a tiny run trained for 10 steps, and 300 / 100
 * Fashion-MNIST images written as HDF5 files that --train-data, --test-data and --data name.
 */
class EvalExportCommandTest {

    private static final int STEPS = 10;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static Path runDir;
    private static Path checkpointFile;
    private static Path trainFile;
    private static Path testFile;

    /** A command's exit code and what it printed. */
    @BeforeAll
    static void makeRunAndData() throws IOException {
        runDir = TinyRun.train(shared.resolve("run"), "amdim", STEPS);
        checkpointFile = runDir.resolve(CheckpointIO.fileName(STEPS));
        trainFile = TinyRun.subsetFile(shared.resolve("train.h5"), FashionMnist.Split.TRAIN, 300);
        testFile = TinyRun.subsetFile(shared.resolve("test.h5"), FashionMnist.Split.TEST, 100);
    }

    private static CliRun run(String... args) {
        return CliRun.contrastive(args);
    }

    private static String line(String out, String prefix) {
        return Arrays.stream(out.split("\n"))
                .filter(l -> l.startsWith(prefix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line starting '" + prefix + "' in:\n" + out));
    }

    @Test
    void evalWithBaselinesPrintsTheThreeLinesAndWritesTheReportIntoTheRunDirectory() throws IOException {
        CliRun r = run(
                CliFixtures.eval(runDir, trainFile, testFile, "--baselines", "--probe-epochs", "3", "--batch", "100"));
        assertEquals(0, r.code(), r.err());
        String accuracy = "(0\\.\\d{4}|1\\.0000)";
        assertTrue(
                line(r.out(), "linear probe test accuracy (learned amdim")
                        .matches("linear probe test accuracy \\(learned amdim, step " + STEPS + "\\): " + accuracy),
                r.out());
        assertTrue(
                line(r.out(), "linear probe test accuracy (raw pixels)")
                        .matches("linear probe test accuracy \\(raw pixels\\):         " + accuracy),
                r.out());
        assertTrue(
                line(r.out(), "linear probe test accuracy (random-init")
                        .matches("linear probe test accuracy \\(random-init encoder\\): " + accuracy),
                r.out());
        line(r.out(), "linear probe train accuracy (learned amdim");

        EvaluationReport report = EvaluationReport.readJson(runDir.resolve("eval.json"));
        assertEquals(checkpointFile.toString(), report.checkpoint());
        assertEquals(STEPS, report.step());
        assertEquals(300, report.train().size());
        assertEquals(100, report.test().size());
        assertEquals(3, report.options().probe().epochs());
        assertNotNull(report.rawPixels().linear());
        assertNotNull(report.randomInit().linear());
    }

    @Test
    void evalOfATruncatedCheckpointFailsWithExitCode2NamingTheFile() throws IOException {
        byte[] bytes = Files.readAllBytes(checkpointFile);
        Path truncated = dir.resolve("truncated.bin");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        CliRun r = run(CliFixtures.eval(truncated, trainFile, testFile));
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("eval: --checkpoint " + truncated + ": truncated"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals(List.of("truncated.bin"), CliFixtures.fileNames(dir));
    }

    @Test
    void exportWritesTheSameFeaturesAndLabelsTheExtractorComputes() throws IOException {
        Path out = dir.resolve("features.h5");
        CliRun r = run(CliFixtures.export(checkpointFile, testFile, out, "--batch", "50"));
        assertEquals(0, r.code(), r.err());
        FeatureExport.Contents c = FeatureExport.read(out);
        assertEquals(100, c.rows());
        assertEquals(checkpointFile.toString(), c.attributes().checkpoint());
        assertEquals(STEPS, c.attributes().step());
        assertEquals(testFile.toString(), c.attributes().data());
        assertEquals("learned", c.attributes().featureKind());
        try (TrainedModel trained = TrainedModel.load(checkpointFile);
                Dataset data = Datasets.open(testFile.toString())) {
            assertEquals(
                    trained.config(),
                    TrainerConfig.fromJson(
                            new ObjectMapper().readTree(c.attributes().trainerConfig())));
            FeatureSet expected =
                    FeatureExtractor.forPreset(trained.preset(), 50).features(data, trained.method());
            assertEquals(trained.method().featureDim(), c.dim());
            assertArrayEquals(expected.labels(), c.labels());
            assertArrayEquals(expected.features().reshape(100L * c.dim()).toFloatVector(), c.features());
        }
        assertEquals(List.of("features.h5"), CliFixtures.fileNames(dir));

        CliRun raw = run(CliFixtures.export(runDir, testFile, out, "--features", "raw"));
        assertEquals(0, raw.code(), raw.err());
        FeatureExport.Contents pixels = FeatureExport.read(out);
        assertEquals(32 * 32, pixels.dim());
        assertEquals("raw", pixels.attributes().featureKind());
    }

    @Test
    void exportIntoAMissingDirectoryFailsBeforeWritingAnything() throws IOException {
        Path out = dir.resolve("missing").resolve("features.h5");
        CliRun r = run(CliFixtures.export(checkpointFile, testFile, out));
        r.assertRefused("directory " + dir.resolve("missing") + " does not exist");
        assertEquals(List.of(), CliFixtures.fileNames(dir));
    }

    @Test
    void exportOfACorruptedCheckpointFailsNamingItAndLeavesNoOutput() throws IOException {
        byte[] bytes = Files.readAllBytes(checkpointFile);
        bytes[bytes.length / 2] ^= 0x5a;
        Path corrupted = dir.resolve("corrupted.bin");
        Files.write(corrupted, bytes);
        Path out = dir.resolve("features.h5");
        CliRun r = run(CliFixtures.export(corrupted, testFile, out));
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("export: --checkpoint " + corrupted + ": "), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(out));
        assertEquals(List.of("corrupted.bin"), CliFixtures.fileNames(dir));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpc", "simclr"})
    void evalAndExportWorkOnCifarShapedDataWithThePresetTheCheckpointRecorded(String method) throws IOException {
        Path rgbRun;
        Path rgbTrain;
        Path rgbTest;
        try (Dataset train = TinyRun.rgbImages(FashionMnist.Split.TRAIN, 256);
                Dataset test = TinyRun.rgbImages(FashionMnist.Split.TEST, 100)) {
            rgbRun = TinyRun.train(dir.resolve("rgb-" + method), method, 4, train);
            rgbTrain = TinyRun.hdf5(dir.resolve("rgb-train.h5"), train);
            rgbTest = TinyRun.hdf5(dir.resolve("rgb-test.h5"), test);
        }
        CliRun r = run(
                CliFixtures.eval(rgbRun, rgbTrain, rgbTest, "--baselines", "--probe-epochs", "2", "--method", method));
        assertEquals(0, r.code(), r.err());
        line(r.out(), "linear probe test accuracy (learned " + method + ", step 4)");
        line(r.out(), "linear probe test accuracy (raw pixels)");
        EvaluationReport report = EvaluationReport.readJson(rgbRun.resolve("eval.json"));
        assertEquals(3 * 32 * 32, report.rawPixels().featureDim(), "the CIFAR preset's 3 x 32 x 32 pixels");

        Path out = dir.resolve("rgb.h5");
        CliRun export = run(CliFixtures.export(rgbRun, rgbTest, out));
        assertEquals(0, export.code(), export.err());
        try (TrainedModel trained = TrainedModel.load(rgbRun)) {
            assertEquals(method, trained.config().method().method());
            assertEquals(trained.method().featureDim(), FeatureExport.read(out).dim());
        }
    }

    @Test
    void aCheckpointOfAnotherMethodIsRefusedWithExitCode2() {
        CliRun r = run(CliFixtures.eval(runDir, trainFile, testFile, "--method", "simclr"));
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(
                "eval: --checkpoint " + runDir + ": checkpoint " + checkpointFile + " holds method amdim, not simclr",
                r.err().strip());
        CliRun export = run(CliFixtures.export(runDir, testFile, dir.resolve("x.h5"), "--method", "cpc"));
        export.assertRefused("holds method amdim, not cpc");
    }
}

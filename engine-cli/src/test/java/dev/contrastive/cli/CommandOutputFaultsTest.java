package dev.contrastive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.FashionMnist;
import dev.contrastive.core.testing.FileSizeLimit;
import dev.contrastive.models.eval.FeatureExport;
import dev.contrastive.models.train.TinyRun;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * export (HDF5 and ONNX) and eval in a child JVM under a file-size limit (ulimit -f): the write of
 * their output fails with EFBIG ("File too large"), as on a full disk. The command must fail naming
 * the file, leave the previous output intact and readable, and the JVM must not crash: an export
 * used to report success, replace the file with a damaged one and die in libhdf5 (SIGSEGV in
 * H5F_get_nrefs, exit 134, an hs_err_pid*.log in the working directory).
 */
class CommandOutputFaultsTest {

    /**
     * Exit code of an output that cannot be written: a problem of the environment the user can fix.
     */
    private static final int EXIT_FAILED = 2;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static Path checkpointFile;
    private static Path trainFile;
    private static Path testFile;

    @BeforeAll
    static void makeRunAndData() throws IOException {
        Path runDir = TinyRun.train(shared.resolve("run"), "amdim", 4);
        checkpointFile = runDir.resolve(CheckpointIO.fileName(4));
        trainFile = TinyRun.subsetFile(shared.resolve("train.h5"), FashionMnist.Split.TRAIN, 300);
        testFile = TinyRun.subsetFile(shared.resolve("test.h5"), FashionMnist.Split.TEST, 100);
    }

    private static void runHere(String... args) {
        CliRun r = CliRun.contrastive(args);
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void anExportRefusedByTheFileSizeLimitFailsNamingTheFileAndKeepsTheOldOneReadable() throws Exception {
        Path out = dir.resolve("f.h5");
        runHere(CliFixtures.export(checkpointFile, testFile, out));
        byte[] before = Files.readAllBytes(out);
        FeatureExport.Contents old = FeatureExport.read(out);

        // Raw pixels: 100 x 1024 floats, far over the 16 KiB limit even deflated.
        FileSizeLimit.Result r = FileSizeLimit.run(
                dir, 16, ContrastiveCli.class, CliFixtures.export(checkpointFile, testFile, out, "--features", "raw"));

        assertEquals(EXIT_FAILED, r.exitCode(), r.output());
        assertTrue(
                r.output().contains("cannot write " + out + ": File too large (writing the" + " temporary file"),
                r.output());
        assertFalse(r.output().contains("export: wrote"), r.output());
        assertFalse(r.output().contains("H5Fclose failed"), r.output());
        assertArrayEquals(before, Files.readAllBytes(out));
        assertEquals(old.dim(), FeatureExport.read(out).dim());
        assertEquals(List.of("f.h5"), CliFixtures.fileNames(dir), "no temporary file, no hs_err_pid*.log");
    }

    @Test
    void anOnnxExportRefusedByTheFileSizeLimitFailsNamingTheFileAndKeepsTheOldOne() throws Exception {
        Path out = dir.resolve("encoder.onnx");
        Files.writeString(out, "previous");

        // The tiny AMDIM model takes about 150 KiB; the limit is 8.
        FileSizeLimit.Result r =
                FileSizeLimit.run(dir, 8, ContrastiveCli.class, CliFixtures.onnxExport(checkpointFile, out));

        assertEquals(EXIT_FAILED, r.exitCode(), r.output());
        assertTrue(
                r.output()
                        .contains("export: cannot write " + out + ": File too large (writing the" + " temporary file"),
                r.output());
        assertFalse(r.output().contains("export: wrote"), r.output());
        assertEquals("previous", Files.readString(out));
        assertEquals(List.of("encoder.onnx"), CliFixtures.fileNames(dir), "no temporary file, no hs_err_pid*.log");
    }

    @Test
    void anEvalReportRefusedByTheFileSizeLimitFailsNamingTheFileAndKeepsTheOldOne() throws Exception {
        Path report = dir.resolve("eval.json");
        runHere(CliFixtures.eval(
                checkpointFile, trainFile, testFile, "--probe-epochs", "1", "--out", report.toString()));
        byte[] before = Files.readAllBytes(report);

        // With the baselines the report is over 1 KiB, the limit.
        String[] withBaselines = CliFixtures.eval(
                checkpointFile, trainFile, testFile, "--probe-epochs", "1", "--out", report.toString(), "--baselines");
        FileSizeLimit.Result r = FileSizeLimit.run(dir, 1, ContrastiveCli.class, withBaselines);

        assertEquals(EXIT_FAILED, r.exitCode(), r.output());
        assertTrue(
                r.output().contains("cannot write " + report + ": File too large (writing the" + " temporary file"),
                r.output());
        assertArrayEquals(before, Files.readAllBytes(report));
        assertEquals(List.of("eval.json"), CliFixtures.fileNames(dir), "no temporary file, no hs_err_pid*.log");
    }
}

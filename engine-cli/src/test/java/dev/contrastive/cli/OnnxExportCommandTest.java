package dev.contrastive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.Datasets;
import dev.contrastive.augment.data.FashionMnist;
import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.models.eval.FeatureExtractor;
import dev.contrastive.models.export.OnnxExport;
import dev.contrastive.models.export.OnnxRuntimeRun;
import dev.contrastive.models.registry.Methods;
import dev.contrastive.models.train.TinyRun;
import dev.contrastive.models.train.TrainedModel;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code export --format onnx} end to end: a tiny run of every method trained for a few steps
 * (AMDIM and CPC on Fashion-MNIST, YADIM and SimCLR on CIFAR-shaped RGB images, so both kinds of
 * preset and channel count go through the command), exported, and run in ONNX Runtime on 64 test
 * images through the preset's evaluation transform, at batch 64 and one image at a time, against
 * the features the HDF5 export writes of them ({@link FeatureExtractor#features}). The models are
 * left in {@value #EXPORTED} for CI's {@code scripts/check-onnx.py}.
 */
class OnnxExportCommandTest {

    /** Where CI's ONNX checker finds the exported models; surefire runs in the module's directory. */
    static final String EXPORTED = "target/onnx";

    private static final int STEPS = 4;
    private static final int IMAGES = 64;
    private static final double TOLERANCE = 1e-4;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static final Map<String, Path> runs = new HashMap<>();
    private static final Map<String, Path> testImages = new HashMap<>();
    private static Path grayTest;

    /** A command's exit code and what it printed. */
    @BeforeAll
    static void trainOneTinyRunPerMethod() throws IOException {
        runs.put("amdim", TinyRun.train(shared.resolve("amdim"), "amdim", STEPS));
        runs.put("cpc", TinyRun.train(shared.resolve("cpc"), "cpc", STEPS));
        grayTest = TinyRun.subsetFile(shared.resolve("gray-test.h5"), FashionMnist.Split.TEST, IMAGES);
        testImages.put("amdim", grayTest);
        testImages.put("cpc", grayTest);
        try (Dataset train = TinyRun.rgbImages(FashionMnist.Split.TRAIN, 256);
                Dataset test = TinyRun.rgbImages(FashionMnist.Split.TEST, IMAGES)) {
            for (String method : List.of("yadim", "simclr")) {
                runs.put(method, TinyRun.train(shared.resolve(method), method, STEPS, train));
            }
            Path rgbTest = TinyRun.hdf5(shared.resolve("rgb-test.h5"), test);
            testImages.put("yadim", rgbTest);
            testImages.put("simclr", rgbTest);
        }
    }

    private static CliRun run(String... args) {
        return CliRun.contrastive(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"amdim", "cpc", "yadim", "simclr"})
    void onnxRuntimeReproducesTheCheckpointsFeatures(String method) throws Exception {
        assertEquals(TinyRun.METHODS.size(), runs.size(), "a run for every method of the registry");
        Path runDir = runs.get(method);
        Path out = Files.createDirectories(Path.of(EXPORTED)).resolve(method + ".onnx");
        CliRun r = run(CliFixtures.onnxExport(runDir, out));
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out()
                        .startsWith("export: wrote "
                                + out
                                + " (ONNX "
                                + method
                                + " encoder, step "
                                + STEPS
                                + ": images (N, "),
                r.out());
        assertEquals(List.of(), leftovers(out.getParent()), "no temporary file beside the model");

        try (TrainedModel trained = TrainedModel.load(runDir);
                Dataset test = Datasets.open(testImages.get(method).toString());
                OrtSession session = OnnxRuntimeRun.session(Files.readAllBytes(out))) {
            ItemShape s = trained.method().config().imageShape();
            int dim = trained.method().featureDim();
            assertEquals(List.of(OnnxExport.INPUT), List.copyOf(session.getInputNames()));
            assertEquals(List.of(OnnxExport.OUTPUT), List.copyOf(session.getOutputNames()));
            assertArrayEquals(
                    new long[] {-1, s.channels(), s.height(), s.width()},
                    ((TensorInfo) session.getInputInfo().get(OnnxExport.INPUT).getInfo()).getShape(),
                    "a dynamic batch dimension");
            assertArrayEquals(
                    new long[] {-1, dim},
                    ((TensorInfo) session.getOutputInfo().get(OnnxExport.OUTPUT).getInfo()).getShape());
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            assertEquals(method, meta.get("method"));
            assertEquals(Methods.toJson(trained.method().config()).toString(), meta.get("config"));
            assertEquals(runDir.resolve(CheckpointIO.fileName(STEPS)).toString(), meta.get("checkpoint"));
            assertEquals(Integer.toString(STEPS), meta.get("step"));
            assertEquals(trained.preset().name(), meta.get("preset"));
            assertEquals("pixels / 255, then " + trained.preset().evaluation(), meta.get("preprocessing"));

            FeatureExtractor extractor = FeatureExtractor.forPreset(trained.preset(), IMAGES);
            INDArray expected = extractor.features(test, trained.method()).features();
            INDArray images = extractor.rawPixels(test).features().reshape(IMAGES, s.channels(), s.height(), s.width());
            double batch = OnnxRuntimeRun.relativeDifference(expected, OnnxRuntimeRun.run(session, images));
            double single = OnnxRuntimeRun.relativeDifference(expected, OnnxRuntimeRun.runOneByOne(session, images));
            System.out.printf(
                    "export --format onnx %s: max relative difference %.2e at batch %d, %.2e at" + " batch 1%n",
                    method, batch, IMAGES, single);
            assertTrue(
                    batch <= TOLERANCE && single <= TOLERANCE,
                    method + ": relative difference " + batch + " at batch " + IMAGES + ", " + single + " at batch 1");
        }
    }

    @Test
    void theModelReplacesAPreviousFileWhole() throws Exception {
        Path out = dir.resolve("encoder.onnx");
        Files.writeString(out, "previous");
        CliRun r = run(CliFixtures.onnxExport(runs.get("amdim"), out, "--method", "amdim", "--features", "learned"));
        assertEquals(0, r.code(), r.err());
        try (OrtSession session = OnnxRuntimeRun.session(Files.readAllBytes(out))) {
            assertEquals("amdim", session.getMetadata().getCustomMetadata().get("method"));
        }
        assertEquals(List.of("encoder.onnx"), CliFixtures.fileNames(dir));
    }

    @Test
    void rawFeaturesAreRefusedNamingTheOption() throws IOException {
        refused(
                "--features raw is not an ONNX model: --format onnx exports the encoder's learned"
                        + " features; use --format hdf5 for raw pixels",
                "--format",
                "onnx",
                "--features",
                "raw");
    }

    @Test
    void dataIsRefusedNamingTheOption() throws IOException {
        refused(
                "--data is not used by --format onnx, which exports the encoder alone (the images are"
                        + " the caller's, at inference); drop --data",
                "--format",
                "onnx",
                "--data",
                grayTest.toString());
    }

    @Test
    void batchIsRefusedNamingTheOption() throws IOException {
        refused(
                "--batch is not used by --format onnx: the model's batch dimension is dynamic, the"
                        + " caller's at inference; drop --batch",
                "--format",
                "onnx",
                "--batch",
                "256");
    }

    @Test
    void anUnknownFormatIsRefusedNamingTheOption() throws IOException {
        refused("--format must be hdf5 or onnx, got 'torchscript'", "--format", "torchscript");
    }

    @Test
    void hdf5StillNeedsData() throws IOException {
        refused("--data is required with --format hdf5: the images whose features are written");
        refused("--data is required with --format hdf5: the images whose features are written", "--format", "HDF5");
    }

    @Test
    void aCheckpointOfAnotherMethodIsRefused() throws IOException {
        Path amdim = runs.get("amdim");
        refused(
                "--checkpoint "
                        + amdim
                        + ": checkpoint "
                        + amdim.resolve(CheckpointIO.fileName(STEPS))
                        + " holds method amdim, not cpc",
                "--format",
                "onnx",
                "--method",
                "cpc");
    }

    @Test
    void aMissingOutputDirectoryIsRefused() throws IOException {
        Path missing = dir.resolve("missing");
        CliRun r = run(CliFixtures.onnxExport(runs.get("amdim"), missing.resolve("encoder.onnx")));
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(
                "export: --out " + missing.resolve("encoder.onnx") + ": directory " + missing + " does not exist",
                r.err().strip());
        assertEquals(List.of(), CliFixtures.fileNames(dir));
    }

    /**
     * export of the AMDIM run to dir/encoder.onnx with {@code extra} fails with exit 2 and {@code
     * message}.
     */
    private void refused(String message, String... extra) throws IOException {
        Path out = dir.resolve("encoder.onnx");
        String[] args = Stream.concat(
                        Stream.of("export", "--checkpoint", runs.get("amdim").toString(), "--out", out.toString()),
                        Stream.of(extra))
                .toArray(String[]::new);
        CliRun r = run(args);
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals("export: " + message, r.err().strip(), "one line naming the option");
        assertEquals("", r.out());
        assertFalse(Files.exists(out));
        assertEquals(List.of(), CliFixtures.fileNames(dir));
    }

    /** The writers' temporary files (.NAME.RANDOM.tmp) in {@code d}. */
    private static List<String> leftovers(Path d) throws IOException {
        return CliFixtures.fileNames(d).stream()
                .filter(n -> n.startsWith(".") && n.endsWith(".tmp"))
                .toList();
    }
}

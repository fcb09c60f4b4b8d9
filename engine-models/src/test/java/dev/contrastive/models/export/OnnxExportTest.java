package dev.contrastive.models.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.core.testing.FileSizeLimit;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.EncoderFixtures;
import dev.contrastive.models.encoder.ProbeTaps;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.MethodConfig;
import dev.contrastive.models.method.amdim.AmdimMethodConfig;
import dev.contrastive.models.method.yadim.YadimMethodConfig;
import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.registry.Methods;
import dev.contrastive.models.train.ForwardingMethod;
import dev.contrastive.models.train.TinyRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every method's exported features, run in ONNX Runtime, against {@link Method#features} on 64
 * images, at batch 64 and one image at a time. The models are also written to {@value #EXPORTED}
 * for CI's {@code scripts/check-onnx.py} (the ONNX checker, in Python).
 */
class OnnxExportTest {

    /** Where the checker finds the models; surefire runs in the module's directory. */
    static final String EXPORTED = "target/onnx";

    private static final int IMAGES = 64;
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    /**
     * The tiny config of each method, 1 and 3 channels; AMDIM also with r1 alone (its default probe
     * is r1 with the pooled r5 and r7), YADIM also with the pooled taps (its default is r1 alone);
     * AMDIM with batch norm in its blocks (the fused batch norm and ReLU) and at 128 x 128 (the
     * reflect-padded stem).
     */
    static Stream<Arguments> methods() {
        List<Arguments> cases = new ArrayList<>();
        for (int channels : new int[] {1, 3}) {
            for (String name : TinyRun.METHODS) {
                cases.add(Arguments.of(name + "-" + channels + "ch", TinyRun.method(name, channels)));
            }
            AmdimMethodConfig amdim = (AmdimMethodConfig) TinyRun.method("amdim", channels);
            cases.add(Arguments.of("amdim-r1-" + channels + "ch", amdim.withProbe(ProbeTaps.R1)));
            YadimMethodConfig yadim = (YadimMethodConfig) TinyRun.method("yadim", channels);
            cases.add(Arguments.of("yadim-pooled-" + channels + "ch", yadim.withProbe(ProbeTaps.R1_POOLED_R5_R7)));
        }
        AmdimConfig tiny = TinyRun.TINY_AMDIM;
        cases.add(Arguments.of(
                "amdim-bn-pooled-1ch",
                AmdimMethodConfig.of(tiny.withUseBn(true)).withProbe(ProbeTaps.R1_POOLED_R5_R7)));
        cases.add(Arguments.of(
                "amdim-128-bn-pooled-1ch",
                AmdimMethodConfig.of(EncoderFixtures.amdim(128, 1, 4, 32, 1, true))
                        .withProbe(ProbeTaps.R1_POOLED_R5_R7)));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void onnxRuntimeReproducesTheFeatures(String label, MethodConfig config) throws Exception {
        SplittableRandom rnd = new SplittableRandom(label.hashCode());
        try (Method method = Methods.create(config, TinyRun.MODEL_SEED)) {
            OnnxRuntimeRun.perturb(method.parameters(), rnd);
            ItemShape s = config.imageShape();
            INDArray images = GradCheck.randomOf(DataType.FLOAT, rnd, 1, IMAGES, s.channels(), s.height(), s.width());
            INDArray expected = method.features(images).dup();

            Path file = Files.createDirectories(Path.of(EXPORTED)).resolve(label + ".onnx");
            OnnxExport.write(method, file);
            byte[] model = Files.readAllBytes(file);
            assertArrayEquals(OnnxExport.toBytes(method), model, "the file is the whole model");

            try (OrtSession session = OnnxRuntimeRun.session(model)) {
                assertEquals(List.of(OnnxExport.INPUT), List.copyOf(session.getInputNames()));
                assertEquals(List.of(OnnxExport.OUTPUT), List.copyOf(session.getOutputNames()));
                assertArrayEquals(
                        new long[] {-1, s.channels(), s.height(), s.width()},
                        ((TensorInfo) session.getInputInfo()
                                        .get(OnnxExport.INPUT)
                                        .getInfo())
                                .getShape());
                assertArrayEquals(
                        new long[] {-1, method.featureDim()},
                        ((TensorInfo) session.getOutputInfo()
                                        .get(OnnxExport.OUTPUT)
                                        .getInfo())
                                .getShape());
                Map<String, String> meta = session.getMetadata().getCustomMetadata();
                assertEquals(config.method(), meta.get("method"));
                assertEquals(Methods.toJson(config).toString(), meta.get("config"));

                double batch = OnnxRuntimeRun.relativeDifference(expected, OnnxRuntimeRun.run(session, images));
                double single =
                        OnnxRuntimeRun.relativeDifference(expected, OnnxRuntimeRun.runOneByOne(session, images));
                System.out.printf(
                        "ONNX %s: max relative difference %.2e at batch %d, %.2e at batch 1%n",
                        label, batch, IMAGES, single);
                assertTrue(
                        batch <= TOLERANCE && single <= TOLERANCE,
                        label
                                + ": relative difference "
                                + batch
                                + " at batch "
                                + IMAGES
                                + ", "
                                + single
                                + " at batch 1");
            }
        }
    }

    @Test
    void extraMetadataFollowsTheExportsOwn() throws Exception {
        Path file = dir.resolve("model.onnx");
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("checkpoint", "runs/a/checkpoint-4.ckpt");
        extra.put("step", "4");
        try (Method method = TinyRun.create("amdim", TinyRun.MODEL_SEED)) {
            OnnxExport.write(method, extra, file);
            try (OrtSession session = OnnxRuntimeRun.session(Files.readAllBytes(file))) {
                Map<String, String> meta = session.getMetadata().getCustomMetadata();
                assertEquals(
                        Set.of("method", "config", "input", "output", "feature_dim", "checkpoint", "step"),
                        meta.keySet());
                assertEquals("runs/a/checkpoint-4.ckpt", meta.get("checkpoint"));
                assertEquals(Integer.toString(method.featureDim()), meta.get("feature_dim"));
            }
        }
    }

    @Test
    void extraMetadataMayNotRepeatTheExportsKeys() throws IOException {
        Path file = dir.resolve("model.onnx");
        try (Method method = TinyRun.create("amdim", TinyRun.MODEL_SEED)) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> OnnxExport.write(method, Map.of("method", "cpc"), file));
            assertTrue(e.getMessage().startsWith("ONNX metadata key 'method' is the export's own ["), e.getMessage());
        }
        assertEquals(List.of(), listing(dir), "nothing written");
    }

    @Test
    void aMethodWithoutAnOnnxFormFailsBeforeWriting() throws IOException {
        Path file = dir.resolve("model.onnx");
        Files.writeString(file, "previous");
        try (Method method = new WithoutOnnx(TinyRun.create("amdim", TinyRun.MODEL_SEED))) {
            UnsupportedOperationException e =
                    assertThrows(UnsupportedOperationException.class, () -> OnnxExport.write(method, file));
            assertEquals("amdim has no ONNX export of its features", e.getMessage());
        }
        assertEquals("previous", Files.readString(file));
        assertEquals(List.of(file), listing(dir), "no temporary file");
    }

    @Test
    void aModelRefusedByAFileSizeLimitKeepsThePreviousFile() throws Exception {
        Path file = dir.resolve("model.onnx");
        Files.writeString(file, "previous");
        // The tiny AMDIM model takes about 150 KiB; the limit is 8.
        FileSizeLimit.Result r = FileSizeLimit.run(dir, 8, ExportMain.class, file.toString());
        assertEquals(FileSizeLimit.EXIT_IO, r.exitCode(), r.output());
        assertTrue(
                r.output().contains("cannot write " + file + ": File too large (writing the temporary file"),
                r.output());
        assertEquals("previous", Files.readString(file, StandardCharsets.UTF_8));
        assertEquals(List.of(file), listing(dir), "no temporary file, no hs_err_pid*.log");
    }

    private static List<Path> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    /** The child of the file-size test: exports the tiny AMDIM to the file named by args[0]. */
    public static final class ExportMain {
        public static void main(String[] args) {
            try (Method method = TinyRun.create("amdim", TinyRun.MODEL_SEED)) {
                OnnxExport.write(method, Path.of(args[0]));
            } catch (IOException e) {
                System.out.println(e.getMessage());
                System.exit(FileSizeLimit.EXIT_IO);
            }
        }
    }

    /** A method as {@code delegate}, but without exportFeatures: a method added without an ONNX form. */
    private record WithoutOnnx(Method delegate) implements ForwardingMethod {}
}

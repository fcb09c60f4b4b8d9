package dev.contrastive.models.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import dev.contrastive.models.nn.Arena;
import dev.contrastive.models.nn.BatchNorm2d;
import dev.contrastive.models.nn.ChannelPad;
import dev.contrastive.models.nn.Conv2d;
import dev.contrastive.models.nn.GlobalAvgPool;
import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Identity;
import dev.contrastive.models.nn.LayerNorm;
import dev.contrastive.models.nn.Module;
import dev.contrastive.models.nn.OnnxGraph;
import dev.contrastive.models.nn.PadMode;
import dev.contrastive.models.nn.Parameters;
import dev.contrastive.models.nn.Patches;
import dev.contrastive.models.nn.Pool2d;
import dev.contrastive.models.nn.PooledResidual;
import dev.contrastive.models.nn.ReflectPad;
import dev.contrastive.models.nn.Relu;
import dev.contrastive.models.nn.Residual;
import dev.contrastive.models.nn.Sequential;
import dev.contrastive.models.nn.ToGrid;
import dev.contrastive.models.nn.ZeroPad2d;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Each module's ONNX nodes, run in ONNX Runtime, against its float32 evaluation-mode forward (the
 * native kernels where they apply), at the full batch and one sample at a time; including the
 * variants the tiny methods do not use (max pooling, reflect padding, a 1x3 kernel).
 */
class OnnxModulesTest {

    private static final double TOLERANCE = 1e-5;

    /** Builds a module, declaring its tensors in the parameters (sealed after it returns). */
    @FunctionalInterface
    interface Factory {
        Module build(Parameters p, Arena a, SplittableRandom rnd);
    }

    static Stream<Arguments> modules() {
        return Stream.of(
                of(
                        "conv 3x3 stride 2 zero padding, bias",
                        new long[] {4, 3, 9, 9},
                        (p, a, r) -> new Conv2d(p, a, "c", 3, 5, 3, 2, 1, true, PadMode.ZEROS, r)),
                of(
                        "conv 5x5 stride 2 reflect padding",
                        new long[] {4, 2, 12, 12},
                        (p, a, r) -> new Conv2d(p, a, "c", 2, 4, 5, 2, 2, false, PadMode.REFLECT, r)),
                of(
                        "conv 1x3 padding (0, 1), bias",
                        new long[] {4, 3, 6, 6},
                        (p, a, r) -> new Conv2d(p, a, "c", 3, 2, 1, 3, 1, 0, 1, true, PadMode.ZEROS, r, null)),
                of(
                        "conv covering its input (dense path)",
                        new long[] {4, 4, 3, 3},
                        (p, a, r) -> new Conv2d(p, a, "c", 4, 6, 3, 1, 0, true, PadMode.ZEROS, r)),
                of("batch norm", new long[] {4, 3, 5, 5}, (p, a, r) -> new BatchNorm2d(p, a, "bn", 3)),
                of("batch norm with relu", new long[] {4, 3, 5, 5}, (p, a, r) -> BatchNorm2d.withRelu(p, a, "bn", 3)),
                of("layer norm", new long[] {4, 3, 5, 5}, (p, a, r) -> new LayerNorm(p, a, "ln", 3)),
                of("layer norm with relu", new long[] {4, 3, 5, 5}, (p, a, r) -> LayerNorm.withRelu(p, a, "ln", 3)),
                of("relu", new long[] {4, 3, 5, 5}, (p, a, r) -> new Relu(a)),
                of("max pool 3/2/1", new long[] {4, 3, 9, 9}, (p, a, r) -> Pool2d.resnetMaxPool(a)),
                of(
                        "avg pool 3/2/1 counting the padding",
                        new long[] {4, 3, 9, 9},
                        (p, a, r) -> new Pool2d(a, Pool2d.Kind.AVG, 3, 2, 1)),
                of("avg pool 4/2/0", new long[] {4, 3, 10, 10}, (p, a, r) -> new Pool2d(a, Pool2d.Kind.AVG, 4, 2, 0)),
                of("global avg pool", new long[] {4, 3, 5, 7}, (p, a, r) -> new GlobalAvgPool(a)),
                of("reflect pad 2", new long[] {4, 2, 5, 6}, (p, a, r) -> new ReflectPad(a, 2)),
                of("zero pad (1, 0, 2, 3)", new long[] {4, 2, 5, 6}, (p, a, r) -> new ZeroPad2d(a, 1, 0, 2, 3)),
                of("channel pad 3 to 5", new long[] {4, 3, 4, 4}, (p, a, r) -> new ChannelPad(a, 3, 5)),
                of("identity", new long[] {4, 3, 4, 4}, (p, a, r) -> new Identity()),
                of(
                        "residual",
                        new long[] {4, 3, 6, 6},
                        (p, a, r) -> new Residual(
                                a, new Conv2d(p, a, "c", 3, 3, 3, 1, 1, true, PadMode.ZEROS, r), new Identity())),
                of(
                        "pooled residual 2/2, 3 to 5 channels",
                        new long[] {4, 3, 8, 8},
                        (p, a, r) -> new PooledResidual(
                                a,
                                new Sequential(List.of(
                                        new Conv2d(p, a, "c1", 3, 5, 2, 2, 0, false, PadMode.ZEROS, r),
                                        BatchNorm2d.withRelu(p, a, "bn", 5),
                                        new Conv2d(p, a, "c2", 5, 5, 1, 1, 0, false, PadMode.ZEROS, r))),
                                3,
                                5,
                                2,
                                2)),
                of(
                        "patches, conv, pool, to grid",
                        new long[] {4, 2, 16, 16},
                        (p, a, r) -> new Sequential(List.of(
                                new Patches(a, 8, 4),
                                new Conv2d(p, a, "c", 2, 3, 3, 2, 1, true, PadMode.ZEROS, r),
                                new GlobalAvgPool(a),
                                new ToGrid(a, 3)))));
    }

    private static Arguments of(String name, long[] shape, Factory factory) {
        return Arguments.of(name, shape, factory);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modules")
    void onnxRuntimeReproducesTheForward(String name, long[] shape, Factory factory) throws Exception {
        SplittableRandom rnd = new SplittableRandom(name.hashCode());
        try (Parameters p = new Parameters(DataType.FLOAT);
                Arena arena = new Arena()) {
            Module m = factory.build(p, arena, rnd);
            p.seal();
            OnnxRuntimeRun.perturb(p, rnd);
            INDArray x = GradCheck.randomOf(DataType.FLOAT, rnd, 1, shape);
            INDArray y = m.forward(x, false);
            OnnxGraph g = new OnnxGraph("module");
            String in = g.input("x", "N", Arrays.copyOfRange(shape, 1, shape.length));
            g.output(m.emit(g, in), "y", "N", Arrays.copyOfRange(y.shape(), 1, y.rank()));
            try (OrtSession session = OnnxRuntimeRun.session(g.toModel().build().toByteArray())) {
                double batch = OnnxRuntimeRun.relativeDifference(y, OnnxRuntimeRun.run(session, x));
                double single = OnnxRuntimeRun.relativeDifference(y, OnnxRuntimeRun.runOneByOne(session, x));
                assertTrue(
                        batch <= TOLERANCE && single <= TOLERANCE,
                        name
                                + ": relative difference "
                                + batch
                                + " at batch "
                                + shape[0]
                                + ", "
                                + single
                                + " at batch 1");
            }
        }
    }

    @Test
    void aModuleWithoutAnOnnxFormIsNamed() {
        OnnxGraph g = new OnnxGraph("module");
        String x = g.input("x", "N", 1, 4, 4);
        Module m = new Sequential(List.of(new Identity(), new Doubling()));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> m.emit(g, x));
        assertEquals(Doubling.class.getName() + " has no ONNX form", e.getMessage());
    }

    @Test
    void patchesNeedTheImageSizeOfAGraphInput() {
        OnnxGraph g = new OnnxGraph("module");
        String relu = new Relu(null).emit(g, g.input("x", "N", 1, 16, 16));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new Patches(null, 8, 4).emit(g, relu));
        assertEquals("the shape of " + relu + " is not known: only graph inputs [x] have one", e.getMessage());
    }

    /** A module with a forward and no ONNX form. */
    private static final class Doubling implements Module {
        @Override
        public INDArray forward(INDArray x, boolean training) {
            return x.mul(2);
        }

        @Override
        public INDArray backward(INDArray dy) {
            return dy.mul(2);
        }
    }
}

package dev.contrastive.models.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.contrastive.core.layers.NativeLayers;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * BatchNorm2d and LayerNorm, with and without the fused ReLU, in training and eval: the native
 * kernels against the ND4J path on the same float32 inputs (outputs, running statistics, dx,
 * dGamma, dBeta). The ND4J path itself is pinned by the float64 finite-difference checks of {@link
 * LayerGradientTest}.
 */
class NormNativePathTest {

    private static final double TOL = 1e-5;

    private final SplittableRandom rnd = new SplittableRandom(3);

    @Test
    void batchNorm() {
        for (long[] shape : new long[][] {{8, 6, 5, 7}, {64, 12, 1, 1}, {4, 3, 33, 20}}) {
            for (boolean relu : new boolean[] {false, true}) {
                for (boolean training : new boolean[] {true, false}) {
                    compare(
                            (p, a) -> relu
                                    ? BatchNorm2d.withRelu(p, a, "bn", (int) shape[1])
                                    : new BatchNorm2d(p, a, "bn", (int) shape[1]),
                            shape,
                            training,
                            "batch norm relu=" + relu + " training=" + training);
                }
            }
        }
    }

    @Test
    void layerNorm() {
        for (long[] shape : new long[][] {{20, 5, 4, 4}, {3, 4, 9, 9}, {50, 16, 8, 8}, {6, 7, 1, 1}}) {
            for (boolean relu : new boolean[] {false, true}) {
                compare(
                        (p, a) -> relu
                                ? LayerNorm.withRelu(p, a, "ln", (int) shape[1])
                                : new LayerNorm(p, a, "ln", (int) shape[1]),
                        shape,
                        true,
                        "layer norm relu=" + relu);
            }
        }
    }

    @Test
    void relu() {
        for (long[] shape : new long[][] {{8, 6, 5, 7}, {64, 12, 1, 1}}) {
            compare((p, a) -> new Relu(a), shape, true, "relu");
        }
    }

    /** AMDIM's shortcut sums: 4x4/2 with zero channels, 2x2/2, the plain residual sum. */
    @Test
    void pooledResidual() {
        assumeTrue(NativeLayers.isLoaded(), "native library not loaded");
        int[][] cases = {{4, 3, 6, 30, 4, 2}, {3, 4, 8, 14, 2, 2}, {2, 5, 5, 7, 1, 1}};
        for (int[] t : cases) {
            Parameters params = new Parameters(DataType.FLOAT);
            Arena arena = new Arena();
            Conv2d conv = new Conv2d(params, arena, "c", t[1], t[2], t[4], t[5], 0, true, PadMode.ZEROS, rnd);
            PooledResidual block = new PooledResidual(arena, conv, t[1], t[2], t[4], t[5]);
            params.seal();
            INDArray x = random(0.2, 1.0, t[0], t[1], t[3], t[3]);
            long ho = (t[3] - t[4]) / t[5] + 1;
            INDArray dy = random(0.0, 1.0, t[0], t[2], ho, ho);
            boolean was = NativeLayers.isEnabled();
            INDArray[] composition;
            INDArray[] fused;
            try {
                NativeLayers.setEnabled(false);
                composition = run(block, params, x, dy, true);
                NativeLayers.setEnabled(true);
                fused = run(block, params, x, dy, true);
            } finally {
                NativeLayers.setEnabled(was);
            }
            String[] parts = {"y", "dx", "grads"};
            for (int i = 0; i < parts.length; i++) {
                assertClose(composition[i], fused[i], "pooled residual " + parts[i] + " " + Arrays.toString(t));
            }
            arena.close();
            params.close();
        }
    }

    private void compare(BiFunction<Parameters, Arena, Module> make, long[] shape, boolean training, String what) {
        assumeTrue(NativeLayers.isLoaded(), "native library not loaded");
        Parameters params = new Parameters(DataType.FLOAT);
        Arena arena = new Arena();
        Module m = make.apply(params, arena);
        params.seal();
        int c = (int) shape[1];
        if (!params.all().isEmpty()) {
            params.get(name(params, "weight")).value().assign(random(1.0, 0.5, c));
            params.get(name(params, "bias")).value().assign(random(0.0, 0.5, c));
        }
        // Batch norm's running mean and var (kept positive), which eval normalises with.
        params.flatBuffers().assign(random(1.0, 0.5, params.flatBuffers().length()));
        INDArray x = random(0.3, 2.0, shape);
        // A strided view, as a residual branch might hand back: the native backward must copy it.
        INDArray wide = random(0.0, 1.0, shape[0], shape[1], shape[2], shape[3] + 1);
        INDArray dy = wide.get(
                NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, shape[3]));
        INDArray buffers = params.flatBuffers().dup();
        assertTrue(NativeLayers.usable(x), "the input must qualify for the native path");

        boolean was = NativeLayers.isEnabled();
        INDArray[] nd4j;
        INDArray[] fused;
        try {
            NativeLayers.setEnabled(false);
            nd4j = run(m, params, x, dy, training);
            params.flatBuffers().assign(buffers);
            NativeLayers.setEnabled(true);
            fused = run(m, params, x, dy, training);
        } finally {
            NativeLayers.setEnabled(was);
        }
        String[] parts = {"y", "dx", "grads", "buffers"};
        for (int i = 0; i < parts.length; i++) {
            assertClose(nd4j[i], fused[i], what + " " + parts[i] + " " + Arrays.toString(shape));
        }
        arena.close();
        params.close();
    }

    private static INDArray[] run(Module m, Parameters params, INDArray x, INDArray dy, boolean training) {
        params.zeroGrad();
        INDArray y = m.forward(x, training).dup();
        INDArray dx = m.backward(dy).dup();
        return new INDArray[] {
            y, dx, params.flatGrads().dup(), params.flatBuffers().dup()
        };
    }

    private static String name(Parameters params, String suffix) {
        return params.all().stream()
                .map(Parameters.Tensor::name)
                .filter(n -> n.endsWith("." + suffix))
                .findFirst()
                .orElseThrow();
    }

    private INDArray random(double offset, double spread, long... shape) {
        return GradCheck.randomOf(DataType.FLOAT, rnd, spread, shape).addi(offset);
    }

    /** Normwise: max |expected - actual| within TOL of max |expected|. */
    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double scale = expected.amaxNumber().doubleValue();
        double err = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(err <= TOL * Math.max(scale, 1e-12), what + ": max error " + err + " at scale " + scale);
        assertEquals(expected.dataType(), actual.dataType(), what);
    }
}

package dev.contrastive.models.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.contrastive.core.layers.NativeLayers;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Supplier;
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
        compareNorms(BatchNorm2d::new, BatchNorm2d::withRelu, "batch norm", new boolean[] {true, false}, new long[][] {
            {8, 6, 5, 7}, {64, 12, 1, 1}, {4, 3, 33, 20}
        });
    }

    @Test
    void layerNorm() {
        compareNorms(LayerNorm::new, LayerNorm::withRelu, "layer norm", new boolean[] {true}, new long[][] {
            {20, 5, 4, 4}, {3, 4, 9, 9}, {50, 16, 8, 8}, {6, 7, 1, 1}
        });
    }

    /** A norm layer's constructor or ReLU-fused factory. */
    private interface Norm {
        Module create(Parameters params, Arena arena, String name, int channels);
    }

    /** {@link #compare} of the norm, without and with the fused ReLU, at each shape and mode. */
    private void compareNorms(Norm plain, Norm withRelu, String what, boolean[] trainings, long[][] shapes) {
        for (long[] shape : shapes) {
            for (boolean relu : new boolean[] {false, true}) {
                Norm norm = relu ? withRelu : plain;
                for (boolean training : trainings) {
                    compare(
                            (p, a) -> norm.create(p, a, "norm", (int) shape[1]),
                            shape,
                            training,
                            what + " relu=" + relu + " training=" + training);
                }
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
            INDArray[][] paths = onBothPaths(() -> run(block, params, x, dy, true), () -> {});
            assertSameParts(paths, "pooled residual", Arrays.toString(t), "y", "dx", "grads");
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

        INDArray[][] paths = onBothPaths(
                () -> run(m, params, x, dy, training),
                () -> params.flatBuffers().assign(buffers));
        assertSameParts(paths, what, Arrays.toString(shape), "y", "dx", "grads", "buffers");
        arena.close();
        params.close();
    }

    /**
     * {@code run} on the ND4J path, then {@code between}, then {@code run} on the native path; the
     * native setting is restored after.
     *
     * @return the ND4J path's results, then the native path's
     */
    private static INDArray[][] onBothPaths(Supplier<INDArray[]> run, Runnable between) {
        boolean was = NativeLayers.isEnabled();
        try {
            NativeLayers.setEnabled(false);
            INDArray[] nd4j = run.get();
            between.run();
            NativeLayers.setEnabled(true);
            return new INDArray[][] {nd4j, run.get()};
        } finally {
            NativeLayers.setEnabled(was);
        }
    }

    /** The named leading parts of both paths' results agree ({@link #assertClose}). */
    private static void assertSameParts(INDArray[][] paths, String what, String shape, String... parts) {
        for (int i = 0; i < parts.length; i++) {
            assertClose(paths[0][i], paths[1][i], what + " " + parts[i] + " " + shape);
        }
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

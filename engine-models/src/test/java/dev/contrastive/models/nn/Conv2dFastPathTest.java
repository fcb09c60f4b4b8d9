package dev.contrastive.models.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Conv2d's fast paths. The gemm path of convolutions with a 1 x 1 output (window = whole input):
 * finite differences in float64, the naive loop forward, and agreement with libnd4j's conv2d /
 * conv2d_bp path in float32. The deconvolution backward of wide 3x3 stride-1 convolutions:
 * agreement with conv2d_bp in float32.
 */
class Conv2dFastPathTest {

    private final SplittableRandom rnd = new SplittableRandom(11);

    @AfterEach
    void restoreDefault() {
        FastPaths.setEnabled(true);
    }

    /**
     * The gemm path of a stride-1 unpadded kernel as large as the input (a 1 x 1 output): output
     * shape, the naive loop forward, and finite differences in float64.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "kernel covering the input with bias, 3, 5, 3, true, 4, 1",
        "1x1 on 1x1 without bias, 6, 4, 1, false, 3, 2"
    })
    void kernelCoveringTheInputMatchesFiniteDifferences(
            String name, int in, int out, int kernel, boolean bias, int batch, int seed) {
        Parameters params = new Parameters(DataType.DOUBLE);
        Arena arena = new Arena();
        Conv2d conv = new Conv2d(params, arena, "c", in, out, kernel, 1, 0, bias, PadMode.ZEROS, rnd);
        params.seal();
        INDArray x = GradCheck.random(rnd, 1.0, batch, in, kernel, kernel);
        INDArray y = conv.forward(x, true);
        assertArrayEquals(new long[] {batch, out, 1, 1}, y.shape());
        INDArray b = bias ? conv.bias().value() : null;
        assertTrue(LoopReference.conv(x, conv.weight().value(), b, 1, 0, false).equalsWithEps(y, 1e-12));
        GradCheck.check(conv, params, arena, x, true, 40, 1e-6, seed);
    }

    @Test
    void gemmPathAgreesWithTheConvOpPathInFloat32() {
        assertFastPathAgrees(16, 24, 0, new long[] {8, 16, 3, 3});
    }

    @Test
    void deconvolutionBackwardAgreesWithConv2dBpInFloat32() {
        assumeTrue(Conv2d.WINOGRAD_CPU, "the deconvolution backward runs on AVX-512 CPUs only");
        assertFastPathAgrees(256, 16, 0, new long[] {3, 256, 5, 5});
    }

    @Test
    void deconvolutionBackwardWithPaddingAgreesWithConv2dBp() {
        assumeTrue(Conv2d.WINOGRAD_CPU, "the deconvolution backward runs on AVX-512 CPUs only");
        assertFastPathAgrees(256, 8, 1, new long[] {2, 256, 4, 4});
    }

    @Test
    void parameterGradientsWithoutInputGradientMatchBackward() {
        // CPC's first layer (1 channel, padded), AMDIM's (unpadded), a strided one (conv2d_bp
        // fallback), and a dense one.
        int[][] cases = {{1, 16, 3, 1, 1, 8}, {1, 8, 3, 1, 0, 12}, {3, 8, 4, 2, 0, 10}, {4, 6, 3, 1, 0, 3}};
        for (int[] c : cases) {
            Parameters params = new Parameters(DataType.FLOAT);
            Arena arena = new Arena();
            Conv2d conv = new Conv2d(params, arena, "c", c[0], c[1], c[2], c[3], c[4], true, PadMode.ZEROS, rnd);
            params.seal();
            INDArray x = GradCheck.randomOf(DataType.FLOAT, rnd, 1.0, 5, c[0], c[5], c[5]);
            INDArray y = conv.forward(x, true);
            INDArray dy = GradCheck.randomOf(DataType.FLOAT, rnd, 1.0, y.shape());
            params.zeroGrad();
            conv.backward(dy);
            INDArray full = params.flatGrads().dup();
            params.zeroGrad();
            conv.backwardToParameters(dy);
            double scale = Math.max(1.0, full.amaxNumber().doubleValue());
            double diff = full.sub(params.flatGrads()).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-5 * scale, java.util.Arrays.toString(c) + ": gradients differ by " + diff);
        }
    }

    /** A 3x3 stride-1 conv with bias: output and gradients on the fast path and on the op path. */
    private void assertFastPathAgrees(int in, int out, int padding, long[] inputShape) {
        Parameters params = new Parameters(DataType.FLOAT);
        Arena arena = new Arena();
        Conv2d conv = new Conv2d(params, arena, "c", in, out, 3, 1, padding, true, PadMode.ZEROS, rnd);
        params.seal();
        INDArray x = GradCheck.randomOf(DataType.FLOAT, rnd, 1.0, inputShape);
        long outSize = inputShape[2] + 2L * padding - 2;
        INDArray dy = GradCheck.randomOf(DataType.FLOAT, rnd, 1.0, inputShape[0], out, outSize, outSize);

        FastPaths.setEnabled(false);
        INDArray[] op = run(conv, params, x, dy);
        FastPaths.setEnabled(true);
        INDArray[] gemm = run(conv, params, x, dy);

        String[] names = {"y", "dx", "dW", "dB"};
        for (int i = 0; i < names.length; i++) {
            double scale = Math.max(1.0, op[i].amaxNumber().doubleValue());
            double diff = op[i].sub(gemm[i]).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-5 * scale, names[i] + " differs by " + diff + " (scale " + scale + ")");
        }
    }

    @Test
    void backwardAccumulatesWeightGradients() {
        Parameters params = new Parameters(DataType.DOUBLE);
        Arena arena = new Arena();
        Conv2d conv = new Conv2d(params, arena, "c", 2, 3, 2, 1, 0, true, PadMode.ZEROS, rnd);
        params.seal();
        INDArray x = GradCheck.random(rnd, 1.0, 5, 2, 2, 2);
        INDArray dy = GradCheck.random(rnd, 1.0, 5, 3, 1, 1);
        INDArray[] once = run(conv, params, x, dy);
        params.zeroGrad();
        conv.forward(x, true);
        conv.backward(dy);
        conv.backward(dy);
        assertTrue(conv.weight().grad().equalsWithEps(once[2].mul(2), 1e-12), "weight gradients are added");
        assertTrue(conv.bias().grad().equalsWithEps(once[3].mul(2), 1e-12), "bias gradients are added");
    }

    /** y, dx, dW, dB of one forward and backward from zeroed gradients, copied out. */
    private static INDArray[] run(Conv2d conv, Parameters params, INDArray x, INDArray dy) {
        params.zeroGrad();
        INDArray y = conv.forward(x, true).dup();
        INDArray dx = conv.backward(dy).dup();
        return new INDArray[] {
            y, dx, conv.weight().grad().dup(), conv.bias().grad().dup()
        };
    }
}

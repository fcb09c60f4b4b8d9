package dev.contrastive.models.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every layer against central finite differences in float64 on tiny shapes, and its forward against
 * a naive loop implementation of torch's semantics (so that op argument mistakes, e.g. a wrong
 * padding or weight layout, cannot hide behind a self-consistent backward).
 */
class LayerGradientTest {

    private static final double TOL = 1e-6;
    private static final int PROBES = 40;

    private final Parameters params = new Parameters(DataType.DOUBLE);
    private final Arena arena = new Arena();
    private final SplittableRandom rnd = new SplittableRandom(7);

    private INDArray input(long... shape) {
        return GradCheck.random(rnd, 1.0, shape);
    }

    /** Conv2d's forward against the loop reference, then its gradients against finite differences. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("convolutions")
    void conv2d(
            String name,
            int in,
            int out,
            int kernel,
            int stride,
            int padding,
            boolean bias,
            PadMode mode,
            long[] shape,
            int seed) {
        Conv2d conv = new Conv2d(params, arena, "c", in, out, kernel, stride, padding, bias, mode, rnd);
        params.seal();
        INDArray x = input(shape);
        INDArray b = bias ? conv.bias().value() : null;
        assertClose(
                LoopReference.conv(x, conv.weight().value(), b, stride, padding, mode == PadMode.REFLECT),
                conv.forward(x, true));
        GradCheck.check(conv, params, arena, x, true, PROBES, TOL, seed);
    }

    static Stream<Arguments> convolutions() {
        return Stream.of(
                Arguments.of("with bias and zero padding", 3, 4, 3, 2, 1, true, PadMode.ZEROS, shape(2, 3, 7, 6), 1),
                Arguments.of("strided 4x4 without bias", 2, 3, 4, 2, 0, false, PadMode.ZEROS, shape(2, 2, 8, 8), 2),
                Arguments.of("with reflect padding", 2, 3, 5, 2, 2, true, PadMode.REFLECT, shape(2, 2, 9, 8), 3));
    }

    @Test
    void batchNormTrainingAndEval() {
        BatchNorm2d bn = new BatchNorm2d(params, arena, "bn", 3);
        INDArray x = sealWithAffine("bn", 2, 0.5, 3, 3, 4, 5);
        GradCheck.check(bn, params, arena, x, true, PROBES, TOL, 4);
        checkEval(bn, x, 5);
    }

    @Test
    void batchNormWithReluTrainingAndEval() {
        BatchNorm2d bn = BatchNorm2d.withRelu(params, arena, "bn", 3);
        INDArray x = sealWithAffine("bn", 2, 0.5, 3, 3, 4, 5);
        GradCheck.check(bn, params, arena, x, true, PROBES, TOL, 17);
        INDArray y = bn.forward(x, true);
        assertClose(reluOf(new BatchNorm2d(params, arena, "bn", 3).forward(x, true)), y);
        checkEval(bn, x, 18);
    }

    @Test
    void batchNormMatchesTorchStatistics() {
        BatchNorm2d bn = new BatchNorm2d(params, arena, "bn", 2);
        params.seal();
        INDArray x = input(4, 2, 3, 3);
        INDArray y = bn.forward(x, true);
        // Each output channel has mean 0 and biased variance var / (var + eps).
        for (int c = 0; c < 2; c++) {
            INDArray xc = x.get(all(), point(c), all(), all()).dup();
            INDArray yc = y.get(all(), point(c), all(), all()).dup();
            double mean = xc.meanNumber().doubleValue();
            double var = xc.sub(mean).muli(xc.sub(mean)).meanNumber().doubleValue();
            assertEquals(0, yc.meanNumber().doubleValue(), 1e-12);
            assertEquals(var / (var + BatchNorm2d.EPS), yc.mul(yc).meanNumber().doubleValue(), 1e-10);
            double n = xc.length();
            assertEquals(0.1 * mean, params.get("bn.running_mean").value().getDouble(c), 1e-12);
            assertEquals(
                    0.9 + 0.1 * var * n / (n - 1),
                    params.get("bn.running_var").value().getDouble(c),
                    1e-12);
        }
    }

    @Test
    void batchNormRejectsSingleValuePerChannelInTraining() {
        BatchNorm2d bn = new BatchNorm2d(params, arena, "bn", 2);
        params.seal();
        assertThrows(IllegalArgumentException.class, () -> bn.forward(input(1, 2, 1, 1), true));
    }

    @Test
    void relu() {
        Relu relu = new Relu(arena);
        params.seal();
        INDArray x = input(2, 3, 4, 4);
        INDArray expected = x.dup();
        for (long i = 0; i < expected.length(); i++) {
            expected.putScalar(i, Math.max(0, x.getDouble(i)));
        }
        assertClose(expected, relu.forward(x, true));
        GradCheck.check(relu, params, arena, x, true, PROBES, TOL, 6);
    }

    /** Pool2d's forward against the loop reference, then its gradients against finite differences. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void pool(
            String name,
            Function<Arena, Pool2d> create,
            int kernel,
            int stride,
            int padding,
            boolean max,
            long[] shape,
            int seed) {
        Pool2d pool = create.apply(arena);
        params.seal();
        INDArray x = input(shape);
        assertClose(LoopReference.pool(x, kernel, stride, padding, max), pool.forward(x, true));
        GradCheck.check(pool, params, arena, x, true, PROBES, TOL, seed);
    }

    static Stream<Arguments> pools() {
        Function<Arena, Pool2d> resnet = Pool2d::resnetMaxPool;
        Function<Arena, Pool2d> avg = a -> new Pool2d(a, Pool2d.Kind.AVG, 4, 2, 0);
        Function<Arena, Pool2d> avgPadded = a -> new Pool2d(a, Pool2d.Kind.AVG, 3, 2, 1);
        return Stream.of(
                Arguments.of("max 3x3 stride 2 pad 1", resnet, 3, 2, 1, true, shape(2, 2, 7, 6), 7),
                Arguments.of("avg", avg, 4, 2, 0, false, shape(2, 3, 8, 8), 8),
                Arguments.of(
                        "avg with padding counts padded cells like torch",
                        avgPadded,
                        3,
                        2,
                        1,
                        false,
                        shape(1, 2, 5, 5),
                        9));
    }

    @Test
    void sequentialChainsForwardAndBackward() {
        Sequential seq = new Sequential(List.of(
                new Conv2d(params, arena, "a", 2, 3, 3, 1, 1, false, PadMode.ZEROS, rnd),
                new BatchNorm2d(params, arena, "b", 3),
                new Relu(arena),
                new Conv2d(params, arena, "c", 3, 2, 1, 1, 0, true, PadMode.ZEROS, rnd)));
        params.seal();
        GradCheck.check(seq, params, arena, input(3, 2, 5, 5), true, PROBES, TOL, 10);
    }

    @Test
    void parametersAreViewsOfOneFlatArray() {
        Conv2d a = new Conv2d(params, arena, "a", 2, 3, 3, 1, 1, true, PadMode.ZEROS, rnd);
        BatchNorm2d b = new BatchNorm2d(params, arena, "b", 3);
        params.seal();
        assertEquals(3 * 2 * 9 + 3 + 3 + 3, params.count());
        params.flatValues().assign(2.0);
        assertEquals(2.0, a.weight().value().getDouble(1, 1, 2, 2));
        assertEquals(2.0, b.bias().value().getDouble(2));
        assertEquals(1.0, params.get("b.running_var").value().getDouble(0), "buffers are separate");
        a.weight().grad().assign(3.0);
        assertEquals(3.0 * 54, params.flatGrads().sumNumber().doubleValue());
        assertArrayEquals(new long[] {3, 2, 3, 3}, a.weight().grad().shape());
        assertThrows(IllegalStateException.class, () -> new BatchNorm2d(params, arena, "late", 1));
        // A replica binds to the sealed tensors by name.
        BatchNorm2d replica = new BatchNorm2d(params, arena, "b", 3);
        assertEquals(b.bias(), replica.bias());
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(params, arena, "b", 4));
        assertThrows(IllegalArgumentException.class, () -> params.get("nope"));
    }

    @Test
    void sameSeedSameWeights() {
        Parameters p1 = new Parameters(DataType.FLOAT);
        Parameters p2 = new Parameters(DataType.FLOAT);
        new Conv2d(p1, arena, "a", 3, 8, 3, 1, 0, true, PadMode.ZEROS, new SplittableRandom(42));
        new Conv2d(p2, arena, "a", 3, 8, 3, 1, 0, true, PadMode.ZEROS, new SplittableRandom(42));
        assertEquals(p1.seal().flatValues(), p2.seal().flatValues());
        // Kaiming-uniform(a = sqrt 5) bound 1 / sqrt(fan_in), fan_in = 27.
        double bound = 1 / Math.sqrt(27);
        assertEquals(bound, p1.flatValues().amaxNumber().doubleValue(), 0.05);
    }

    @Test
    void rectangularConvWithBias() {
        Conv2d conv = new Conv2d(params, arena, "c", 2, 3, 1, 3, 1, 0, 1, true, PadMode.ZEROS, rnd, null);
        Conv2d tall = new Conv2d(params, arena, "t", 3, 2, 2, 1, 1, 0, 0, true, PadMode.ZEROS, rnd, null);
        params.seal();
        INDArray x = input(2, 2, 4, 5);
        assertArrayEquals(new long[] {2, 3, 4, 5}, conv.forward(x, true).shape());
        assertArrayEquals(
                new long[] {2, 2, 3, 5},
                tall.forward(conv.forward(x, true), true).shape());
        GradCheck.check(new Sequential(List.of(conv, tall)), params, arena, x, true, PROBES, TOL, 11);
    }

    @Test
    void layerNormNormalisesEachSample() {
        LayerNorm ln = new LayerNorm(params, arena, "ln", 3);
        INDArray x = sealWithAffine("ln", 3, 1, 2, 3, 3, 4);
        GradCheck.check(ln, params, arena, x, true, PROBES, TOL, 12);
        params.get("ln.weight").value().assign(1);
        params.get("ln.bias").value().assign(0);
        INDArray y = ln.forward(x, true);
        for (int b = 0; b < 2; b++) {
            INDArray yb = y.get(point(b), all(), all(), all()).dup();
            assertEquals(0, yb.meanNumber().doubleValue(), 1e-12);
            assertEquals(1, yb.mul(yb).meanNumber().doubleValue(), 1e-4);
        }
    }

    @Test
    void layerNormWithRelu() {
        LayerNorm ln = LayerNorm.withRelu(params, arena, "ln", 3);
        INDArray x = sealWithAffine("ln", 3, 1, 2, 3, 3, 4);
        GradCheck.check(ln, params, arena, x, true, PROBES, TOL, 19);
        assertClose(reluOf(new LayerNorm(params, arena, "ln", 3).forward(x, true)), ln.forward(x, true));
    }

    @Test
    void globalAvgPoolZeroPadPatchesAndGrid() {
        Patches patches = new Patches(arena, 4, 2);
        params.seal();
        INDArray img = input(2, 3, 8, 8);
        INDArray p = patches.forward(img, true);
        assertArrayEquals(new long[] {2 * 9, 3, 4, 4}, p.shape());
        // Patch (image 1, grid row 2, col 1) is the window at rows 4..7, cols 2..5.
        assertClose(
                img.get(point(1), all(), interval(4, 8), interval(2, 6)).dup(),
                p.get(point(9 + 2 * 3 + 1), all(), all(), all()).dup());
        GradCheck.check(patches, params, arena, img, true, PROBES, TOL, 13);
        GradCheck.check(new GlobalAvgPool(arena), params, arena, input(2, 3, 4, 5), true, PROBES, TOL, 14);
        GradCheck.check(new ZeroPad2d(arena, 1, 0, 2, 1), params, arena, input(2, 3, 4, 5), true, PROBES, TOL, 15);
        ToGrid grid = new ToGrid(arena, 3);
        INDArray vectors = input(2 * 9, 4, 1, 1);
        INDArray g = grid.forward(vectors, true);
        assertEquals(vectors.getDouble(9 + 5, 2, 0, 0), g.getDouble(1, 2, 1, 2), "image 1, cell (1, 2)");
        GradCheck.check(grid, params, arena, vectors, true, PROBES, TOL, 16);
    }

    /**
     * Seals the parameters and gives the 3-channel norm layer {@code layer} non-trivial affine
     * parameters, so that their gradients and the scale path are exercised.
     *
     * @return a random input of the shape, times {@code scale} plus {@code shift}
     */
    private INDArray sealWithAffine(String layer, double scale, double shift, long... shape) {
        params.seal();
        params.get(layer + ".weight").value().assign(input(3).addi(1.5));
        params.get(layer + ".bias").value().assign(input(3));
        return input(shape).muli(scale).addi(shift);
    }

    /** Random running statistics for batch norm {@code bn}, then its eval-mode gradient check. */
    private void checkEval(BatchNorm2d bn, INDArray x, int seed) {
        params.get("bn.running_mean").value().assign(input(3));
        params.get("bn.running_var").value().assign(input(3).addi(2));
        GradCheck.check(bn, params, arena, x, false, PROBES, TOL, seed);
    }

    private static long[] shape(long... dims) {
        return dims;
    }

    private static INDArray reluOf(INDArray x) {
        INDArray r = x.dup();
        for (long i = 0; i < r.length(); i++) {
            r.putScalar(i, Math.max(0, x.getDouble(i)));
        }
        return r;
    }

    private static void assertClose(INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        double err = expected.sub(actual).amaxNumber().doubleValue();
        assertEquals(0, err, 1e-12, "max |expected - actual|");
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex all() {
        return org.nd4j.linalg.indexing.NDArrayIndex.all();
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex interval(long from, long to) {
        return org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to);
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex point(long i) {
        return org.nd4j.linalg.indexing.NDArrayIndex.point(i);
    }
}

package dev.contrastive.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Each norm kernel against a straightforward float64 loop. The ReLU masks of the references use
 * {@link Math#fma(float, float, float)}, the same correctly rounded float expression as the kernel,
 * so that the masks agree exactly and only the arithmetic is compared.
 */
class NativeLayersTest {

    private static final double TOL = 1e-5;

    /**
     * (N, C, H, W): odd sizes, H*W = 1, planes below and above the kernel's small-plane (16) and
     * block (512) sizes, N = 2, and the last three large enough to be split across threads.
     */
    private static final int[][] SHAPES = {
        {2, 3, 5, 7},
        {64, 24, 1, 1},
        {3, 5, 2, 3},
        {2, 4, 4, 4},
        {3, 2, 23, 29},
        {4, 16, 32, 32},
        {40, 16, 8, 8},
        {40, 300, 2, 2}
    };

    private final SplittableRandom rnd = new SplittableRandom(11);

    @BeforeEach
    void requireLibrary() {
        assumeTrue(NativeLayers.isLoaded(), "native library not loaded");
        NativeLayers.setEnabled(true);
    }

    @Test
    void batchStatsMatchTheReference() {
        for (int[] s : SHAPES) {
            checkStats(s, 0.3, 2.0);
        }
        // |mean| >> std: naive sums of squares in float would lose every significant digit.
        checkStats(new int[] {8, 3, 6, 5}, 1000, 0.01);
        checkStats(new int[] {64, 5, 1, 1}, 1000, 0.01);
    }

    private void checkStats(int[] s, double offset, double spread) {
        INDArray x = random(s, offset, spread);
        float[] v = x.data().asFloat();
        int c = s[1];
        double[] mean = new double[c];
        double[] var = new double[c];
        NativeLayers.batchStats(x, mean, var);
        double[][] ref = refStats(v, s);
        for (int ch = 0; ch < c; ch++) {
            assertEquals(
                    ref[0][ch], mean[ch], 1e-6 * spread + 1e-12 * Math.abs(offset), "mean " + ch + " of " + shape(s));
            assertEquals(ref[1][ch], var[ch], TOL * ref[1][ch], "var " + ch + " of " + shape(s));
        }
    }

    @Test
    void channelAffineWithAndWithoutRelu() {
        for (int[] s : SHAPES) {
            for (boolean relu : new boolean[] {false, true}) {
                INDArray x = random(s, 0.2, 1.5);
                float[] scale = randomFloats(s[1], 0.5, 1.0);
                float[] shift = randomFloats(s[1], 0.0, 1.0);
                INDArray y = x.ulike();
                NativeLayers.channelAffine(x, scale, shift, relu, y);
                float[] v = x.data().asFloat();
                double[] ref = new double[v.length];
                int hw = s[2] * s[3];
                for (int i = 0; i < v.length; i++) {
                    int ch = i / hw % s[1];
                    double pre = (double) scale[ch] * v[i] + shift[ch];
                    ref[i] = relu ? Math.max(0, pre) : pre;
                }
                assertClose(ref, y.data().asFloat(), "affine relu=" + relu + " " + shape(s));
            }
        }
    }

    @Test
    void reluForwardAndBackwardAreExactIncludingZeros() {
        for (int[] s : SHAPES) {
            INDArray x = random(s, 0.0, 1.0);
            // Exact zeros: the mask is "x > 0", as libnd4j's relu_bp, so a zero input passes no gradient.
            x.putScalar(0, 0f);
            INDArray dy = random(s, 0.0, 1.0);
            INDArray y = x.ulike();
            INDArray dx = x.ulike();
            NativeLayers.relu(x, y);
            NativeLayers.reluBackward(x, dy, dx);
            float[] v = x.data().asFloat();
            float[] g = dy.data().asFloat();
            float[] ys = y.data().asFloat();
            float[] dxs = dx.data().asFloat();
            for (int i = 0; i < v.length; i++) {
                assertEquals(Math.max(0f, v[i]), ys[i], 0f, "relu " + i + " of " + shape(s));
                assertEquals(v[i] > 0f ? g[i] : 0f, dxs[i], 0f, "relu backward " + i + " of " + shape(s));
            }
        }
    }

    @Test
    void batchNormBackwardTrainingAndEval() {
        for (int[] s : SHAPES) {
            for (boolean relu : new boolean[] {false, true}) {
                for (boolean training : new boolean[] {true, false}) {
                    checkBatchBackward(s, relu, training);
                }
            }
        }
    }

    private void checkBatchBackward(int[] s, boolean relu, boolean training) {
        int c = s[1];
        int hw = s[2] * s[3];
        INDArray x = random(s, 0.5, 2.0);
        INDArray dy = random(s, 0.0, 1.0);
        float[] v = x.data().asFloat();
        float[] g0 = dy.data().asFloat();
        double[] mean = new double[c];
        double[] invStd = new double[c];
        float[] gamma = randomFloats(c, 1.0, 0.5);
        float[] beta = randomFloats(c, 0.0, 0.5);
        float[] scale = new float[c];
        float[] shift = new float[c];
        double[][] stats = refStats(v, s);
        for (int ch = 0; ch < c; ch++) {
            // Eval normalises with statistics that are not the batch's.
            mean[ch] = training ? stats[0][ch] : stats[0][ch] + 0.3;
            invStd[ch] = 1 / Math.sqrt((training ? stats[1][ch] : stats[1][ch] * 1.7) + 1e-5);
            scale[ch] = (float) (gamma[ch] * invStd[ch]);
            shift[ch] = (float) (beta[ch] - mean[ch] * scale[ch]);
        }
        INDArray dx = x.ulike();
        double[] dGamma = new double[c];
        double[] dBeta = new double[c];
        NativeLayers.batchNormBackward(x, dy, mean, invStd, scale, shift, relu, training, dx, dGamma, dBeta);

        double[] g = new double[v.length];
        double[] xhat = new double[v.length];
        double[] refGamma = new double[c];
        double[] refBeta = new double[c];
        for (int i = 0; i < v.length; i++) {
            int ch = i / hw % c;
            g[i] = relu && !(Math.fma(v[i], scale[ch], shift[ch]) > 0) ? 0 : g0[i];
            xhat[i] = (v[i] - mean[ch]) * invStd[ch];
            refBeta[ch] += g[i];
            refGamma[ch] += g[i] * xhat[i];
        }
        double m = (double) s[0] * hw;
        double[] refDx = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            int ch = i / hw % c;
            refDx[i] = training ? scale[ch] * (g[i] - refBeta[ch] / m - xhat[i] * refGamma[ch] / m) : scale[ch] * g[i];
        }
        String what = " relu=" + relu + " training=" + training + " " + shape(s);
        assertClose(refDx, dx.data().asFloat(), "dx" + what);
        assertClose(refGamma, dGamma, "dGamma" + what);
        assertClose(refBeta, dBeta, "dBeta" + what);
    }

    @Test
    void layerNormForwardAndBackward() {
        for (int[] s : SHAPES) {
            for (boolean relu : new boolean[] {false, true}) {
                checkLayerNorm(s, relu);
            }
        }
    }

    private void checkLayerNorm(int[] s, boolean relu) {
        int n = s[0];
        int c = s[1];
        int hw = s[2] * s[3];
        int per = c * hw;
        double eps = 1e-5;
        INDArray x = random(s, 0.5, 2.0);
        INDArray dy = random(s, 0.0, 1.0);
        float[] v = x.data().asFloat();
        float[] g0 = dy.data().asFloat();
        float[] gamma = randomFloats(c, 1.0, 0.5);
        float[] beta = randomFloats(c, 0.0, 0.5);
        float[] mean = new float[n];
        float[] invStd = new float[n];
        INDArray y = x.ulike();
        NativeLayers.layerNormForward(x, gamma, beta, eps, relu, y, mean, invStd);
        String what = " relu=" + relu + " " + shape(s);

        double[] refY = new double[v.length];
        for (int b = 0; b < n; b++) {
            double mu = 0;
            for (int i = b * per; i < (b + 1) * per; i++) {
                mu += v[i];
            }
            mu /= per;
            double var = 0;
            for (int i = b * per; i < (b + 1) * per; i++) {
                var += (v[i] - mu) * (v[i] - mu);
            }
            double inv = 1 / Math.sqrt(var / per + eps);
            assertEquals(mu, mean[b], 1e-6, "mean " + b + what);
            assertEquals(inv, invStd[b], 1e-6 * inv, "invStd " + b + what);
            for (int i = b * per; i < (b + 1) * per; i++) {
                int ch = i / hw % c;
                double pre = (v[i] - mu) * inv * gamma[ch] + beta[ch];
                refY[i] = relu ? Math.max(0, pre) : pre;
            }
        }
        assertClose(refY, y.data().asFloat(), "y" + what);

        INDArray dx = x.ulike();
        double[] dGamma = new double[c];
        double[] dBeta = new double[c];
        NativeLayers.layerNormBackward(x, dy, gamma, beta, mean, invStd, relu, dx, dGamma, dBeta);
        double[] refGamma = new double[c];
        double[] refBeta = new double[c];
        double[] refDx = new double[v.length];
        for (int b = 0; b < n; b++) {
            double[] g = new double[per];
            double[] xhat = new double[per];
            double meanDxhat = 0;
            double meanDxhatXhat = 0;
            for (int k = 0; k < per; k++) {
                int i = b * per + k;
                int ch = k / hw;
                float centred = v[i] - mean[b];
                g[k] = relu && !(Math.fma(centred, invStd[b] * gamma[ch], beta[ch]) > 0) ? 0 : g0[i];
                xhat[k] = ((double) v[i] - mean[b]) * invStd[b];
                refBeta[ch] += g[k];
                refGamma[ch] += g[k] * xhat[k];
                meanDxhat += g[k] * gamma[ch] / per;
                meanDxhatXhat += g[k] * gamma[ch] * xhat[k] / per;
            }
            for (int k = 0; k < per; k++) {
                int ch = k / hw;
                refDx[b * per + k] = invStd[b] * (g[k] * gamma[ch] - meanDxhat - xhat[k] * meanDxhatXhat);
            }
        }
        assertClose(refDx, dx.data().asFloat(), "dx" + what);
        assertClose(refGamma, dGamma, "dGamma" + what);
        assertClose(refBeta, dBeta, "dBeta" + what);
    }

    /**
     * The kernels on row views of a larger array (a micro-batch's or replica's rows, offset into
     * their base) read and write the view's elements, exactly as on a copy.
     */
    @Test
    void offsetRowViewsActAsTheirCopies() {
        int[] s = {4, 6, 5, 5};
        INDArray xBase = random(new int[] {12, 6, 5, 5}, 0.1, 1.0);
        INDArray dyBase = random(new int[] {12, 6, 5, 5}, 0.0, 1.0);
        INDArray x = xBase.get(NDArrayIndex.interval(4, 8));
        INDArray dy = dyBase.get(NDArrayIndex.interval(8, 12));
        INDArray xCopy = x.dup();
        INDArray dyCopy = dy.dup();
        assertTrue(NativeLayers.usable(x) && x.offset() > 0, "a contiguous view with an offset");

        double[] mean = new double[s[1]];
        double[] var = new double[s[1]];
        double[] meanCopy = new double[s[1]];
        double[] varCopy = new double[s[1]];
        NativeLayers.batchStats(x, mean, var);
        NativeLayers.batchStats(xCopy, meanCopy, varCopy);
        assertArrayEquals(meanCopy, mean, 0, "batchStats mean");
        assertArrayEquals(varCopy, var, 0, "batchStats var");

        INDArray outBase = Nd4j.zeros(DataType.FLOAT, 12, 6, 5, 5);
        INDArray out = outBase.get(NDArrayIndex.interval(4, 8));
        INDArray outCopy = xCopy.ulike();
        NativeLayers.reluBackward(x, dy, out);
        NativeLayers.reluBackward(xCopy, dyCopy, outCopy);
        assertEquals(outCopy, out, "reluBackward into a view");
        assertEquals(
                0,
                outBase.get(NDArrayIndex.interval(0, 4)).norm1Number().doubleValue(),
                0,
                "rows before the view untouched");
        assertEquals(
                0,
                outBase.get(NDArrayIndex.interval(8, 12)).norm1Number().doubleValue(),
                0,
                "rows after the view untouched");

        double[] invStd = Arrays.stream(var).map(v -> 1 / Math.sqrt(v + 1e-5)).toArray();
        float[] scale = randomFloats(s[1], 0.5, 1.0);
        float[] shift = randomFloats(s[1], 0.0, 1.0);
        double[][] grads = new double[4][s[1]];
        INDArray dx = x.ulike();
        INDArray dxCopy = x.ulike();
        NativeLayers.batchNormBackward(x, dy, mean, invStd, scale, shift, true, false, dx, grads[0], grads[1]);
        NativeLayers.batchNormBackward(
                xCopy, dyCopy, mean, invStd, scale, shift, true, false, dxCopy, grads[2], grads[3]);
        assertEquals(dxCopy, dx, "batchNormBackward dx");
        assertArrayEquals(grads[2], grads[0], 0, "batchNormBackward dGamma");
        assertArrayEquals(grads[3], grads[1], 0, "batchNormBackward dBeta");
    }

    @Test
    void usableOnlyForContiguousFloat32Rank4() {
        INDArray x = random(new int[] {2, 4, 3, 3}, 0, 1);
        assertTrue(NativeLayers.usable(x));
        assertTrue(
                NativeLayers.usable(
                        x.get(NDArrayIndex.interval(1, 2), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all())),
                "a leading slice is contiguous");
        assertFalse(NativeLayers.usable(x.castTo(DataType.DOUBLE)));
        assertFalse(NativeLayers.usable(x.reshape(2, 36)));
        assertFalse(NativeLayers.usable(x.permute(0, 2, 3, 1)));
        assertFalse(NativeLayers.usable(
                x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2), NDArrayIndex.all(), NDArrayIndex.all())));
        NativeLayers.setEnabled(false);
        try {
            assertFalse(NativeLayers.usable(x));
        } finally {
            NativeLayers.setEnabled(true);
        }
    }

    @Test
    void pooledShortcutSumAndGradientMatchTheReference() {
        // {N, Cin, Cout, H, k, s}: AMDIM's 4x4/2 and 2x2/2 blocks (overlapping and tiling windows), a
        // 3x3/1 one, the plain residual sum, and channels padded with zeros.
        int[][] cases = {
            {2, 3, 5, 30, 4, 2},
            {3, 4, 8, 14, 2, 2},
            {2, 6, 6, 5, 3, 1},
            {4, 5, 5, 7, 1, 1},
            {2, 2, 7, 9, 1, 1},
            {1, 3, 3, 11, 4, 2}
        };
        for (int[] t : cases) {
            int n = t[0];
            int cin = t[1];
            int cout = t[2];
            int h = t[3];
            int k = t[4];
            int st = t[5];
            int ho = (h - k) / st + 1;
            INDArray x = random(new int[] {n, cin, h, h}, 0.1, 1.0);
            INDArray b = random(new int[] {n, cout, ho, ho}, -0.2, 1.0);
            INDArray dy = random(new int[] {n, cout, ho, ho}, 0.0, 1.0);
            INDArray db = random(new int[] {n, cin, h, h}, 0.0, 1.0);
            float[] xv = x.data().asFloat();
            float[] bv = b.data().asFloat();
            float[] gv = dy.data().asFloat();
            float[] dbv = db.data().asFloat();
            double[] y = new double[bv.length];
            double[] dx = new double[dbv.length];
            for (int i = 0; i < dbv.length; i++) {
                dx[i] = dbv[i];
            }
            for (int s0 = 0; s0 < n; s0++) {
                for (int c = 0; c < cout; c++) {
                    for (int i = 0; i < ho; i++) {
                        for (int j = 0; j < ho; j++) {
                            int o = ((s0 * cout + c) * ho + i) * ho + j;
                            double pooled = 0;
                            for (int a = 0; a < k && c < cin; a++) {
                                for (int d = 0; d < k; d++) {
                                    int xi = ((s0 * cin + c) * h + i * st + a) * h + j * st + d;
                                    pooled += xv[xi] / (double) (k * k);
                                    dx[xi] += gv[o] / (double) (k * k);
                                }
                            }
                            y[o] = bv[o] + pooled;
                        }
                    }
                }
            }
            INDArray out = b.ulike();
            NativeLayers.addPooledShortcut(b, x, k, st, out);
            assertClose(y, out.data().asFloat(), "pooled shortcut sum " + Arrays.toString(t));
            INDArray grad = db.ulike();
            NativeLayers.pooledShortcutGradient(dy, k, st, db, grad);
            assertClose(dx, grad.data().asFloat(), "pooled shortcut gradient " + Arrays.toString(t));
            // In place: dx may be the branch's gradient array itself.
            NativeLayers.pooledShortcutGradient(dy, k, st, db, db);
            assertClose(dx, db.data().asFloat(), "pooled shortcut gradient in place " + Arrays.toString(t));
        }
    }

    @Test
    void pooledShortcutRejectsMismatchedShapes() {
        INDArray b = random(new int[] {2, 4, 14, 14}, 0, 1);
        rejects(
                "pooled shortcut input must be (2, <= 4, H, W) with (H - 4) / 2 + 1 = 14",
                () -> NativeLayers.addPooledShortcut(b, random(new int[] {2, 3, 28, 28}, 0, 1), 4, 2, b.ulike()));
        rejects(
                "pooled shortcut input must be (2, <= 4, H, W)",
                () -> NativeLayers.addPooledShortcut(b, random(new int[] {2, 5, 30, 30}, 0, 1), 4, 2, b.ulike()));
    }

    @Test
    void reluPropagatesNaN() {
        INDArray x = Nd4j.createFromArray(new float[] {Float.NaN, -1f, 2f, Float.NaN})
                .reshape(1, 1, 2, 2);
        INDArray y = x.ulike();
        NativeLayers.relu(x, y);
        assertTrue(Float.isNaN(y.getFloat(0)) && Float.isNaN(y.getFloat(3)), "NaN must pass: " + y);
        INDArray z = x.ulike();
        NativeLayers.channelAffine(x, new float[] {1f}, new float[] {0f}, true, z);
        assertTrue(Float.isNaN(z.getFloat(0)), "NaN must pass the fused ReLU: " + z);
    }

    @Test
    void reluRejectsAMismatchedOutput() {
        INDArray x = random(new int[] {2, 3, 4, 4}, 0, 1);
        rejects(
                "y must be a contiguous C-order FLOAT array of shape [2, 3, 4, 4]",
                () -> NativeLayers.relu(x, Nd4j.create(DataType.FLOAT, 2, 3, 4, 5)));
        rejects(
                "dy must be a contiguous C-order FLOAT array of shape [2, 3, 4, 4]",
                () -> NativeLayers.reluBackward(x, Nd4j.create(DataType.DOUBLE, 2, 3, 4, 4), x.ulike()));
    }

    @Test
    void malformedArgumentsAreRejectedWithTheirName() {
        INDArray x = random(new int[] {2, 3, 4, 4}, 0, 1);
        float[] three = new float[3];
        double[] threeD = new double[3];
        rejects("mean must have length 3", () -> NativeLayers.batchStats(x, new double[2], threeD));
        rejects("var must have length 3", () -> NativeLayers.batchStats(x, threeD, new double[4]));
        rejects("x must be FLOAT", () -> NativeLayers.batchStats(x.castTo(DataType.DOUBLE), threeD, threeD));
        rejects("x must be rank 4", () -> NativeLayers.batchStats(x.reshape(2, 3, 16), threeD, threeD));
        rejects("x must be a contiguous", () -> NativeLayers.batchStats(x.permute(0, 1, 3, 2), threeD, threeD));
        rejects(
                "y must be a contiguous C-order FLOAT array of shape [2, 3, 4, 4]",
                () -> NativeLayers.channelAffine(x, three, three, true, Nd4j.create(DataType.FLOAT, 2, 3, 4, 5)));
        rejects("shift must have length 3", () -> NativeLayers.channelAffine(x, three, new float[1], true, x.ulike()));
        rejects(
                "dy must be",
                () -> NativeLayers.batchNormBackward(
                        x,
                        x.castTo(DataType.DOUBLE),
                        threeD,
                        threeD,
                        three,
                        three,
                        false,
                        true,
                        x.ulike(),
                        threeD,
                        threeD));
        rejects(
                "dGamma must have length 3",
                () -> NativeLayers.batchNormBackward(
                        x, x, threeD, threeD, three, three, false, true, x.ulike(), new double[5], threeD));
        rejects(
                "mean must have length 2",
                () -> NativeLayers.layerNormForward(
                        x, three, three, 1e-5, false, x.ulike(), new float[3], new float[2]));
        rejects(
                "eps must be > 0",
                () -> NativeLayers.layerNormForward(x, three, three, 0, false, x.ulike(), new float[2], new float[2]));
        rejects(
                "gamma must have length 3",
                () -> NativeLayers.layerNormBackward(
                        x, x, new float[4], three, new float[2], new float[2], true, x.ulike(), threeD, threeD));
        rejects(
                "dx must be",
                () -> NativeLayers.layerNormBackward(
                        x, x, three, three, new float[2], new float[2], true, x.reshape(2, 3, 16, 1), threeD, threeD));
    }

    private static void rejects(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(message), "expected '" + message + "...', got: " + e.getMessage());
    }

    private double[][] refStats(float[] v, int[] s) {
        int c = s[1];
        int hw = s[2] * s[3];
        double m = (double) s[0] * hw;
        double[] mean = new double[c];
        double[] var = new double[c];
        for (int i = 0; i < v.length; i++) {
            mean[i / hw % c] += v[i] / m;
        }
        for (int i = 0; i < v.length; i++) {
            double d = v[i] - mean[i / hw % c];
            var[i / hw % c] += d * d / m;
        }
        return new double[][] {mean, var};
    }

    private INDArray random(int[] s, double offset, double spread) {
        float[] v = randomFloats(s[0] * s[1] * s[2] * s[3], offset, spread);
        return Nd4j.createFromArray(v).reshape('c', s[0], s[1], s[2], s[3]);
    }

    /** Uniform in [offset - spread, offset + spread). */
    private float[] randomFloats(int n, double offset, double spread) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (offset + (2 * rnd.nextDouble() - 1) * spread);
        }
        return v;
    }

    /** Normwise: max |expected - actual| within TOL of max |expected|. */
    private static void assertClose(double[] expected, float[] actual, String what) {
        double[] a = new double[actual.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = actual[i];
        }
        assertClose(expected, a, what);
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double scale = 0;
        double err = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(err <= TOL * Math.max(scale, 1e-12), what + ": max error " + err + " at scale " + scale);
    }

    private static String shape(int[] s) {
        return Arrays.toString(s);
    }
}

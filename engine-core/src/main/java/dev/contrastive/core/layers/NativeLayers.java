package dev.contrastive.core.layers;

import dev.contrastive.core.kernel.NativeLibrary;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fused CPU kernels (src/main/cpp/contrastive_layers.cpp, library {@code contrastive_layers}) for
 * the encoders' layers other than convolutions: batch norm and layer norm on NCHW activations, each
 * optionally fused with the ReLU that follows, ReLU alone, and AMDIM's residual sum with its
 * pooled, zero-padded shortcut. Written with ND4J ops, each of these layers is 7-10 ops, each a
 * full memory pass with its own overhead, plus a separate ReLU; here a forward is one or two sweeps
 * and a backward two.
 *
 * <p>Formulas (m = N*H*W for batch norm; per sample over C*H*W for layer norm; {@code relu} applies
 * {@code max(0, .)} to the output and masks the incoming gradient where the pre-activation was not
 * positive, recomputing the pre-activation from x with the forward's exact float expression):
 *
 * <ul>
 *   <li>{@link #batchStats}: per-channel mean and biased variance over (N, H, W), accumulated in
 *       double from shifted sums, so that |mean| >> std costs no precision.
 *   <li>{@link #channelAffine}: {@code y = scale[c] * x + shift[c]} (one fma). Batch norm's forward
 *       with {@code scale = gamma * invStd}, {@code shift = beta - mean * scale}.
 *   <li>{@link #batchNormBackward}: {@code dBeta = sum g}, {@code dGamma = sum g * xhat}; training
 *       {@code dx = scale * (g - dBeta / m - xhat * dGamma / m)}, eval {@code dx = scale * g}.
 *   <li>{@link #layerNormForward}: torch's {@code GroupNorm(1, C)}: {@code y = (x - mean[n]) *
 *       invStd[n] * gamma[c] + beta[c]}.
 *   <li>{@link #layerNormBackward}: {@code dxhat = g * gamma}; {@code dx = invStd * (dxhat -
 *       mean(dxhat) - xhat * mean(dxhat * xhat))} with the means per sample.
 * </ul>
 *
 * <p>Applies to float32, rank-4, contiguous C-order arrays on the CPU backend ({@link #usable});
 * the layers keep their ND4J path for everything else (float64 gradient checks, GPU backends). Work
 * is split over channel (batch norm) or sample (layer norm) ranges on the common pool. The library
 * loads under the same switch as the loss kernels', {@code -Dcontrastive.kernel} ({@link
 * NativeLibrary}); the run-time switch {@link #setEnabled} is this class's own.
 */
public final class NativeLayers {

    /** Below this many elements, splitting across threads costs more than it saves. */
    private static final long PARALLEL_THRESHOLD = 1L << 15;

    private static final boolean LOADED = NativeLibrary.load(
            NativeLayers.class, "contrastive_layers", "the norm, ReLU and pooled-residual layers and the Adam update");
    private static volatile boolean enabled = LOADED;

    private NativeLayers() {}

    /**
     * Whether the native library is loaded (and was not refused by {@code contrastive.kernel=nd4j}).
     */
    public static boolean isLoaded() {
        return LOADED;
    }

    /** Whether usable arrays currently take the native kernels. */
    public static boolean isEnabled() {
        return enabled;
    }

    /**
     * Switches the norm layers between the native and the ND4J path at run time, for tests and
     * benchmarks that compare the two in one JVM. The kernel methods below do not consult it: callers
     * choose their path with {@link #usable}.
     */
    public static void setEnabled(boolean on) {
        if (on && !isLoaded()) {
            throw new IllegalStateException("the native layer kernels are not loaded; see the startup warning");
        }
        enabled = on;
    }

    /**
     * Whether {@code x} can take the native kernels now: enabled, float32, CPU, rank 4, contiguous C
     * order.
     */
    public static boolean usable(INDArray x) {
        return enabled
                && x.dataType() == DataType.FLOAT
                && x.rank() == 4
                && contiguous(x)
                && Nd4j.getEnvironment().isCPU();
    }

    /**
     * Per-channel mean and biased variance of {@code x} over (N, H, W).
     *
     * @param x (N, C, H, W) float32
     * @param mean output, length C
     * @param var output, length C
     */
    public static void batchStats(INDArray x, double[] mean, double[] var) {
        Shape s = Shape.of("x", x);
        s.length("mean", mean.length, s.c);
        s.length("var", var.length, s.c);
        long addr = NativeLibrary.address(x);
        split(s.c, (long) s.n * s.hw, (b, e, k) -> statsRange(addr, s.n, s.c, s.hw, b, e, mean, var));
    }

    /**
     * {@code y = scale[c] * x + shift[c]}, then {@code max(0, .)} when {@code relu}.
     *
     * @param x (N, C, H, W) float32
     * @param scale length C
     * @param shift length C
     * @param y output, same shape as x (may be x itself)
     */
    public static void channelAffine(INDArray x, float[] scale, float[] shift, boolean relu, INDArray y) {
        Shape s = Shape.of("x", x);
        s.length("scale", scale.length, s.c);
        s.length("shift", shift.length, s.c);
        s.same("y", y);
        long xa = NativeLibrary.address(x);
        long ya = NativeLibrary.address(y);
        split(s.c, (long) s.n * s.hw, (b, e, k) -> affineRange(xa, ya, s.n, s.c, s.hw, b, e, scale, shift, relu));
    }

    /**
     * Batch norm backward for a forward {@code channelAffine(x, scale, shift, relu, y)}.
     *
     * @param x the forward input, (N, C, H, W) float32
     * @param dy gradient of the output, same shape
     * @param mean the mean the forward normalised with (batch or running), length C
     * @param invStd {@code 1 / sqrt(var + eps)} of the forward, length C
     * @param scale the forward's scale ({@code gamma * invStd}), length C
     * @param shift the forward's shift, length C
     * @param relu whether the forward applied the ReLU
     * @param training whether the forward used batch statistics (the gradient flows through them)
     * @param dx output, same shape as x
     * @param dGamma output (written, not accumulated), length C
     * @param dBeta output (written, not accumulated), length C
     */
    public static void batchNormBackward(
            INDArray x,
            INDArray dy,
            double[] mean,
            double[] invStd,
            float[] scale,
            float[] shift,
            boolean relu,
            boolean training,
            INDArray dx,
            double[] dGamma,
            double[] dBeta) {
        Shape s = Shape.of("x", x);
        s.length("mean", mean.length, s.c);
        s.length("invStd", invStd.length, s.c);
        s.length("scale", scale.length, s.c);
        s.length("shift", shift.length, s.c);
        Gradients g = Gradients.of(s, x, dy, dx, dGamma, dBeta);
        split(
                s.c,
                (long) s.n * s.hw,
                (b, e, k) -> batchBackwardRange(
                        g.x, g.dy, g.dx, s.n, s.c, s.hw, b, e, mean, invStd, scale, shift, relu, training, dGamma,
                        dBeta));
    }

    /**
     * Layer norm forward over (C, H, W) of each sample, then the per-channel affine and optional
     * ReLU. The statistics are accumulated in double but handed out, and used, as float32: with
     * |mean| >> std the centring carries the mean's float rounding (about 6e-8 |mean|), as the ND4J
     * path does.
     *
     * @param x (N, C, H, W) float32
     * @param gamma length C
     * @param beta length C
     * @param eps added to the variance, > 0
     * @param y output, same shape as x
     * @param mean output, per-sample mean, length N
     * @param invStd output, per-sample {@code 1 / sqrt(var + eps)}, length N
     */
    public static void layerNormForward(
            INDArray x,
            float[] gamma,
            float[] beta,
            double eps,
            boolean relu,
            INDArray y,
            float[] mean,
            float[] invStd) {
        Shape s = Shape.of("x", x);
        s.layerNormVectors(gamma, beta, mean, invStd);
        s.same("y", y);
        if (!(eps > 0)) {
            throw new IllegalArgumentException("eps must be > 0, got " + eps);
        }
        long xa = NativeLibrary.address(x);
        long ya = NativeLibrary.address(y);
        split(
                s.n,
                (long) s.c * s.hw,
                (b, e, k) -> layerForwardRange(xa, ya, s.c, s.hw, b, e, gamma, beta, eps, relu, mean, invStd));
    }

    /**
     * Layer norm backward for a forward {@code layerNormForward(x, gamma, beta, eps, relu, y, mean,
     * invStd)}.
     *
     * @param x the forward input, (N, C, H, W) float32
     * @param dy gradient of the output, same shape
     * @param mean the forward's per-sample mean, length N
     * @param invStd the forward's per-sample inverse std, length N
     * @param dx output, same shape as x
     * @param dGamma output (written, not accumulated), length C
     * @param dBeta output (written, not accumulated), length C
     */
    public static void layerNormBackward(
            INDArray x,
            INDArray dy,
            float[] gamma,
            float[] beta,
            float[] mean,
            float[] invStd,
            boolean relu,
            INDArray dx,
            double[] dGamma,
            double[] dBeta) {
        Shape s = Shape.of("x", x);
        s.layerNormVectors(gamma, beta, mean, invStd);
        Gradients g = Gradients.of(s, x, dy, dx, dGamma, dBeta);
        int chunks = chunks(s.n, (long) s.c * s.hw);
        // Chunks of samples all touch every channel: each sums into its own partials.
        double[][] partGamma = new double[chunks][s.c];
        double[][] partBeta = new double[chunks][s.c];
        split(
                s.n,
                (long) s.c * s.hw,
                (b, e, k) -> layerBackwardRange(
                        g.x, g.dy, g.dx, s.c, s.hw, b, e, gamma, beta, mean, invStd, relu, partGamma[k], partBeta[k]));
        Arrays.fill(dGamma, 0);
        Arrays.fill(dBeta, 0);
        for (int k = 0; k < chunks; k++) {
            for (int c = 0; c < s.c; c++) {
                dGamma[c] += partGamma[k][c];
                dBeta[c] += partBeta[k][c];
            }
        }
    }

    /**
     * {@code y = max(0, x)}, for a ReLU with no norm before it (AMDIM's convolutions without batch
     * norm, CPC's ReLU after each residual sum): one vectorised pass instead of libnd4j's relu op.
     *
     * @param x (N, C, H, W) float32
     * @param y output, the same shape
     */
    public static void relu(INDArray x, INDArray y) {
        Shape s = Shape.of("x", x);
        s.same("y", y);
        long xa = NativeLibrary.address(x);
        long ya = NativeLibrary.address(y);
        long perSample = (long) s.c * s.hw;
        split(s.n, perSample, (b, e, k) -> reluRange(xa, ya, b * perSample, e * perSample));
    }

    /**
     * The ReLU's backward, {@code dx = x > 0 ? dy : 0}, as libnd4j's relu_bp: the mask comes from the
     * forward input (or from the output, which is positive exactly where the input is).
     *
     * @param x the forward input (N, C, H, W) float32
     * @param dy gradient of the output, the same shape
     * @param dx output, the same shape
     */
    public static void reluBackward(INDArray x, INDArray dy, INDArray dx) {
        Gradients g = Gradients.of(Shape.of("x", x), x, dy, dx);
        long perSample = (long) g.shape.c * g.shape.hw;
        split(g.shape.n, perSample, (b, e, k) -> reluBackwardRange(g.x, g.dy, g.dx, b * perSample, e * perSample));
    }

    /**
     * {@code y = b + shortcut(x)}, AMDIM's ConvResNxN sum: the shortcut is {@code avg_pool2d(x, k,
     * s)} (no padding, window mean) with channels {@code c >= Cin} zero (amdim's {@code F.pad} to the
     * branch's width); {@code k = s = 1} is the plain residual sum. One sweep instead of the pooling
     * op, the padded copy and the add.
     *
     * @param b the branch output (N, Cout, Ho, Wo) float32, Ho = (H - k) / s + 1, likewise Wo
     * @param x the block input (N, Cin, H, W) float32, {@code Cin <= Cout}
     * @param y output, the shape of b
     */
    public static void addPooledShortcut(INDArray b, INDArray x, int k, int s, INDArray y) {
        Shape bs = Shape.of("b", b);
        bs.same("y", y);
        Shape xs = pooledShortcutInput(bs, x, k, s);
        pooledShortcut(false, bs, xs, k, s, b, x, y);
    }

    /**
     * The block input's gradient: the branch's input gradient plus the shortcut's, {@code dx =
     * branchGradient + avg_pool2d backward(dy[:, :Cin])}, each output gradient spread evenly over its
     * window (overlapping windows add up). One sweep instead of the slice copy, the pooling backward
     * op and the add.
     *
     * @param dy gradient of the block output (N, Cout, Ho, Wo) float32
     * @param k window
     * @param s stride
     * @param branchGradient the branch's gradient with respect to the block input (N, Cin, H, W)
     * @param dx output, the shape of branchGradient; may be branchGradient itself
     */
    public static void pooledShortcutGradient(INDArray dy, int k, int s, INDArray branchGradient, INDArray dx) {
        Shape ds = Shape.of("dy", dy);
        Shape xs = pooledShortcutInput(ds, branchGradient, k, s);
        xs.same("dx", dx);
        pooledShortcut(true, ds, xs, k, s, dy, branchGradient, dx);
    }

    /**
     * The sum ({@code a} = b, {@code b} = x) or, when {@code gradient}, the gradient ({@code a} = dy,
     * {@code b} = branchGradient) of the pooled shortcut, on validated arrays: both walk the block
     * output's samples over the same geometry.
     */
    private static void pooledShortcut(
            boolean gradient, Shape out, Shape in, int k, int s, INDArray a, INDArray b, INDArray result) {
        long aa = NativeLibrary.address(a);
        long ba = NativeLibrary.address(b);
        long ra = NativeLibrary.address(result);
        int h = (int) in.shape[2];
        int w = (int) in.shape[3];
        int ho = (int) out.shape[2];
        int wo = (int) out.shape[3];
        split(
                out.n,
                (long) out.c * out.hw,
                (from, to, chunk) ->
                        pooledShortcutRange(gradient, aa, ba, ra, from, to, out.c, in.c, h, w, ho, wo, k, s));
    }

    /** Validates the shortcut input (or its gradient) against the block output's shape. */
    private static Shape pooledShortcutInput(Shape out, INDArray x, int k, int s) {
        if (k < 1 || s < 1) {
            throw new IllegalArgumentException("pooled shortcut window and stride must be >= 1, got " + k + ", " + s);
        }
        Shape xs = Shape.of(out.name.equals("b") ? "x" : "branchGradient", x);
        long[] o = out.shape;
        long[] i = xs.shape;
        if (i[0] != o[0]
                || i[1] > o[1]
                || i[2] < k
                || i[3] < k
                || (i[2] - k) / s + 1 != o[2]
                || (i[3] - k) / s + 1 != o[3]) {
            throw new IllegalArgumentException("pooled shortcut input must be ("
                    + o[0]
                    + ", <= "
                    + o[1]
                    + ", H, W) with (H - "
                    + k
                    + ") / "
                    + s
                    + " + 1 = "
                    + o[2]
                    + " and (W - "
                    + k
                    + ") / "
                    + s
                    + " + 1 = "
                    + o[3]
                    + ", got "
                    + Arrays.toString(i));
        }
        return xs;
    }

    private static boolean contiguous(INDArray x) {
        if (x.ordering() != 'c') {
            return false;
        }
        long[] shape = x.shape();
        long[] stride = x.stride();
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            // A size-1 dimension's stride is never used to address an element.
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** The (N, C, H*W) of a validated input, and checks of the other arguments against it. */
    private record Shape(String name, long[] shape, int n, int c, int hw) {

        /** Validates the main input; every kernel call starts here, so it also requires the library. */
        static Shape of(String name, INDArray x) {
            if (!isLoaded()) {
                throw new IllegalStateException("the native layer kernels are not loaded; see the startup warning");
            }
            if (x.dataType() != DataType.FLOAT) {
                throw new IllegalArgumentException(name + " must be FLOAT, got " + x.dataType());
            }
            if (x.rank() != 4) {
                throw new IllegalArgumentException(
                        name + " must be rank 4 (N, C, H, W), got shape " + Arrays.toString(x.shape()));
            }
            if (!contiguous(x)) {
                throw new IllegalArgumentException(name
                        + " must be a contiguous C-order array, got a strided view of shape "
                        + Arrays.toString(x.shape()));
            }
            long[] s = x.shape();
            long hw = s[2] * s[3];
            if (s[0] < 1
                    || s[1] < 1
                    || hw < 1
                    || s[0] > Integer.MAX_VALUE
                    || s[1] > Integer.MAX_VALUE
                    || hw > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        name + " must have N, C and H*W in [1, 2^31 - 1], got shape " + Arrays.toString(s));
            }
            return new Shape(name, s, (int) s[0], (int) s[1], (int) hw);
        }

        void length(String what, int actual, int expected) {
            if (actual != expected) {
                throw new IllegalArgumentException(what
                        + " must have length "
                        + expected
                        + " for "
                        + name
                        + " of shape "
                        + Arrays.toString(shape)
                        + ", got "
                        + actual);
            }
        }

        /** A layer norm's per-channel affine and per-sample statistics. */
        void layerNormVectors(float[] gamma, float[] beta, float[] mean, float[] invStd) {
            length("gamma", gamma.length, c);
            length("beta", beta.length, c);
            length("mean", mean.length, n);
            length("invStd", invStd.length, n);
        }

        void same(String what, INDArray a) {
            if (a.dataType() != DataType.FLOAT || !Arrays.equals(a.shape(), shape) || !contiguous(a)) {
                throw new IllegalArgumentException(what
                        + " must be a contiguous C-order FLOAT array of shape "
                        + Arrays.toString(shape)
                        + ", got "
                        + a.dataType()
                        + " "
                        + Arrays.toString(a.shape())
                        + (contiguous(a) ? "" : " (strided view)"));
            }
        }
    }

    /**
     * A backward's input {@code x} (validated as {@code shape}), output gradient {@code dy} and input
     * gradient output {@code dx} (both checked to be of x's shape), with the three addresses.
     */
    private record Gradients(Shape shape, long x, long dy, long dx) {

        static Gradients of(Shape s, INDArray x, INDArray dy, INDArray dx) {
            s.same("dy", dy);
            s.same("dx", dx);
            return new Gradients(s, NativeLibrary.address(x), NativeLibrary.address(dy), NativeLibrary.address(dx));
        }

        /** Also checks the per-channel affine gradients a norm's backward writes. */
        static Gradients of(Shape s, INDArray x, INDArray dy, INDArray dx, double[] dGamma, double[] dBeta) {
            s.length("dGamma", dGamma.length, s.c);
            s.length("dBeta", dBeta.length, s.c);
            return of(s, x, dy, dx);
        }
    }

    /** Work on units [begin, end), as chunk {@code chunk} of {@link #chunks}. */
    @FunctionalInterface
    private interface Range {
        void run(int begin, int end, int chunk);
    }

    private static int chunks(int units, long perUnit) {
        int workers = Runtime.getRuntime().availableProcessors();
        if (workers == 1 || units < 2 || (long) units * perUnit < PARALLEL_THRESHOLD) {
            return 1;
        }
        return Math.min(units, workers);
    }

    /** Splits units (channels or samples) across the common pool when the work is big enough. */
    private static void split(int units, long perUnit, Range body) {
        int chunks = chunks(units, perUnit);
        if (chunks == 1) {
            body.run(0, units, 0);
            return;
        }
        IntStream.range(0, chunks).parallel().forEach(k -> body.run(units * k / chunks, units * (k + 1) / chunks, k));
    }

    private static native void reluRange(long x, long y, long begin, long end);

    /** The pooled shortcut's sum ({@code a} = b, {@code b} = x) or its gradient (dy, branchGradient). */
    private static native void pooledShortcutRange(
            boolean gradient,
            long a,
            long b,
            long out,
            int nBegin,
            int nEnd,
            int cOut,
            int cIn,
            int h,
            int w,
            int ho,
            int wo,
            int k,
            int s);

    private static native void reluBackwardRange(long x, long dy, long dx, long begin, long end);

    private static native void statsRange(
            long x, int n, int c, int hw, int cBegin, int cEnd, double[] mean, double[] var);

    private static native void affineRange(
            long x, long y, int n, int c, int hw, int cBegin, int cEnd, float[] scale, float[] shift, boolean relu);

    private static native void batchBackwardRange(
            long x,
            long dy,
            long dx,
            int n,
            int c,
            int hw,
            int cBegin,
            int cEnd,
            double[] mean,
            double[] invStd,
            float[] scale,
            float[] shift,
            boolean relu,
            boolean training,
            double[] dGamma,
            double[] dBeta);

    private static native void layerForwardRange(
            long x,
            long y,
            int c,
            int hw,
            int nBegin,
            int nEnd,
            float[] gamma,
            float[] beta,
            double eps,
            boolean relu,
            float[] mean,
            float[] invStd);

    private static native void layerBackwardRange(
            long x,
            long dy,
            long dx,
            int c,
            int hw,
            int nBegin,
            int nEnd,
            float[] gamma,
            float[] beta,
            float[] mean,
            float[] invStd,
            boolean relu,
            double[] dGamma,
            double[] dBeta);
}

package dev.contrastive.core.layers;

import dev.contrastive.core.kernel.NativeLibrary;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Adam / AdamW update of flat float32 arrays in one native sweep
 * (src/main/cpp/contrastive_adam.cpp, in {@link NativeLayers}' library): parameters, gradients and
 * both moments are each read once and written at most once, where the ND4J form of the update makes
 * a dozen passes. The published CIFAR AMDIM encoder has 20 M parameters, so each pass moves 80 MB.
 *
 * <p>The caller (the optimiser in engine-models) owns the arithmetic contract; this kernel
 * evaluates, per element, {@code d = g * gradScale + coupledDecay * p}, {@code m = beta1 m +
 * oneMinusBeta1 d}, {@code v = beta2 v + oneMinusBeta2 d^2} (the complements passed in, rounded
 * from double like the ND4J path's scalars, not 1 - beta in float, which is off by 5e-5 relative
 * for 0.999), {@code p = p * decoupledFactor - stepSize * m / (sqrt(v) / bias2Sqrt + eps)} in
 * float32. Elements are independent, so splitting across threads does not change the result.
 * Follows {@link NativeLayers}'s switch: enabled when the library loads, off with {@code
 * NativeLayers.setEnabled(false)} or {@code -Dcontrastive.kernel=nd4j}.
 */
public final class NativeAdam {

    /** Elements per thread below which one thread does the whole update. */
    private static final long PARALLEL_THRESHOLD = 1L << 16;

    private NativeAdam() {}

    /**
     * Whether these arrays can take the kernel now: the native kernels enabled, CPU, float32,
     * contiguous rank-1 arrays of one length.
     */
    public static boolean usable(INDArray p, INDArray g, INDArray m, INDArray v) {
        if (!NativeLayers.isEnabled() || !Nd4j.getEnvironment().isCPU()) {
            return false;
        }
        for (INDArray a : new INDArray[] {p, g, m, v}) {
            if (a.dataType() != DataType.FLOAT || a.rank() != 1 || a.length() != p.length() || a.stride(0) != 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * One update in place of {@code p}, {@code m} and {@code v}; see the class comment for the
     * formula.
     *
     * @throws IllegalArgumentException if the arrays are not {@link #usable}
     */
    public static void step(
            INDArray p,
            INDArray g,
            INDArray m,
            INDArray v,
            float gradScale,
            float coupledDecay,
            float decoupledFactor,
            float beta1,
            float oneMinusBeta1,
            float beta2,
            float oneMinusBeta2,
            float bias2Sqrt,
            float eps,
            float stepSize) {
        if (!NativeLayers.isLoaded()) {
            throw new IllegalStateException("the native adam kernel is not loaded; see the startup warning");
        }
        if (!usable(p, g, m, v)) {
            throw new IllegalArgumentException(
                    "adam kernel needs contiguous rank-1 FLOAT arrays of one length on the CPU, got p "
                            + describe(p)
                            + ", g "
                            + describe(g)
                            + ", m "
                            + describe(m)
                            + ", v "
                            + describe(v));
        }
        long n = p.length();
        long pa = NativeLibrary.address(p);
        long ga = NativeLibrary.address(g);
        long ma = NativeLibrary.address(m);
        long va = NativeLibrary.address(v);
        int workers = Runtime.getRuntime().availableProcessors();
        int chunks = (int) Math.max(1, Math.min(workers, n / PARALLEL_THRESHOLD));
        IntStream.range(0, chunks)
                .parallel()
                .forEach(k -> stepRange(
                        pa,
                        ga,
                        ma,
                        va,
                        n * k / chunks,
                        n * (k + 1) / chunks,
                        gradScale,
                        coupledDecay,
                        decoupledFactor,
                        beta1,
                        oneMinusBeta1,
                        beta2,
                        oneMinusBeta2,
                        bias2Sqrt,
                        eps,
                        stepSize));
    }

    private static String describe(INDArray a) {
        return a.dataType() + " " + Arrays.toString(a.shape());
    }

    private static native void stepRange(
            long p,
            long g,
            long m,
            long v,
            long begin,
            long end,
            float gradScale,
            float coupledDecay,
            float decoupledFactor,
            float beta1,
            float oneMinusBeta1,
            float beta2,
            float oneMinusBeta2,
            float bias2Sqrt,
            float eps,
            float stepSize);
}

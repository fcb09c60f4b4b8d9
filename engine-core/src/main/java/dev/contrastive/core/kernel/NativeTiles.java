package dev.contrastive.core.kernel;

import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The hand-written CPU kernel (src/main/cpp/contrastive_tiles.cpp, library {@code
 * contrastive_loss}, built by Maven with g++) for the elementwise part of each tile: masks, running
 * max, vectorised exp and tanh, row sums and the score gradient, fused into one or two sweeps per
 * row. The matrix products stay on ND4J's gemm.
 *
 * <p>Used for float32 tiles on the CPU backend when the library loads; the pure ND4J path remains
 * the fallback. System property {@code contrastive.kernel} ({@link NativeLibrary}): {@code auto}
 * (default), {@code native} (fail if the library cannot load) or {@code nd4j} (never use it).
 */
public final class NativeTiles {

    /** Below this many tile elements, splitting rows across threads costs more than it saves. */
    private static final long PARALLEL_THRESHOLD = 1L << 15;

    private static final boolean LOADED =
            NativeLibrary.load(NativeTiles.class, "contrastive_loss", "the losses' float32 tiles");
    private static volatile boolean enabled = LOADED;

    private NativeTiles() {}

    /**
     * Whether the native library is loaded (and was not refused by {@code contrastive.kernel=nd4j}).
     */
    public static boolean isLoaded() {
        return LOADED;
    }

    /** Whether float32 CPU tiles currently take the native path. */
    public static boolean isEnabled() {
        return enabled;
    }

    /**
     * Switches float32 CPU tiles between the native and the pure ND4J path at run time, for
     * benchmarks and tests that compare the two in one JVM. Calls already running finish on their
     * path per tile.
     */
    public static void setEnabled(boolean on) {
        if (on && !LOADED) {
            throw new IllegalStateException("the native tile kernel is not loaded; see the startup warning");
        }
        enabled = on;
    }

    /** Whether tiles of this array take the native path. */
    static boolean usable(INDArray like) {
        return enabled
                && like.dataType() == DataType.FLOAT
                && Nd4j.getEnvironment().isCPU();
    }

    /** Name of the path float32 tiles take, for benchmark reports. */
    public static String activePath() {
        return enabled ? "native" : "nd4j";
    }

    /** Work on rows [begin, end) of a tile. */
    @FunctionalInterface
    interface RowRange {
        void run(int begin, int end);
    }

    /** Splits the tile's rows across the common pool when the tile is big enough to pay for it. */
    static void forRows(int rows, int cols, RowRange body) {
        int workers = Runtime.getRuntime().availableProcessors();
        if (workers == 1 || rows < 2 || (long) rows * cols < PARALLEL_THRESHOLD) {
            body.run(0, rows);
            return;
        }
        int chunks = Math.min(rows, workers);
        IntStream.range(0, chunks).parallel().forEach(c -> body.run(rows * c / chunks, rows * (c + 1) / chunks));
    }

    static native void softmaxFold(
            long scores,
            int rowBegin,
            int rowEnd,
            int cols,
            int[] labelColumn,
            int[] excludedColumn,
            double[] max,
            double[] sumExp,
            double[] otherSumExp,
            double[] negativeMax,
            double[] negativeSum,
            double[] positive);

    static native void softmaxBackward(
            long scores,
            int rowBegin,
            int rowEnd,
            int cols,
            int[] labelColumn,
            int[] excludedColumn,
            double[] logSumExp,
            double[] weight,
            double[] otherShare);

    static native void amdimFold(
            long raw,
            int rowBegin,
            int rowEnd,
            int cols,
            int locations,
            int[] positiveStart,
            float tclip,
            double[] max,
            double[] sumExp,
            double[] negativeMax,
            double[] negativeSum,
            double[] positive,
            double[] squaredRaw);

    static native void amdimBackward(
            long raw,
            int rowBegin,
            int rowEnd,
            int cols,
            int locations,
            int[] positiveStart,
            float tclip,
            double[] max,
            double[] negativeCoefficient,
            double[] positiveGradient,
            float twoRegWeight);

    /**
     * Transposes each image's (rows, cols) plane of a contiguous (images, rows, cols) float32 array
     * into (cols, rows), for images [imageBegin, imageEnd).
     */
    static native void transposeImages(long source, long target, int imageBegin, int imageEnd, int rows, int cols);
}

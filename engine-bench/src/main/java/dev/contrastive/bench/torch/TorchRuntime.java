package dev.contrastive.bench.torch;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The PyTorch engine, started once with the same number of intra-op threads as ND4J.
 *
 * <p>DJL reads {@code ai.djl.pytorch.num_threads} and {@code ai.djl.pytorch.num_interop_threads}
 * only while the engine starts ({@code PtEngine.newInstance}), so they are set here before the
 * first {@link Engine#getEngine} call. Left alone, libtorch sizes its pool from the physical cores,
 * which need not be what ND4J's OpenMP runtime uses, and a side-by-side timing would compare thread
 * counts rather than code. {@code ai.djl.offline} keeps DJL from probing the network (EC2 metadata,
 * downloads); the native libraries come from the pytorch-native-cpu jar on the class path.
 */
public final class TorchRuntime {

    private static final String THREADS = "ai.djl.pytorch.num_threads";
    private static final String INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";

    private TorchRuntime() {}

    /**
     * Intra-op threads for both engines: {@code OMP_NUM_THREADS} (which ND4J's OpenMP runtime reads)
     * if set, else every available processor (ND4J's default).
     */
    public static int threads() {
        String env = System.getenv("OMP_NUM_THREADS");
        if (env == null || env.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(env.trim());
            if (n < 1) {
                throw new NumberFormatException("must be >= 1");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalStateException("OMP_NUM_THREADS='" + env + "' is not a positive thread count", e);
        }
    }

    /** The PyTorch engine; fails if it runs with a different intra-op thread count than ND4J. */
    public static Engine engine() {
        return Holder.ENGINE;
    }

    private static final class Holder {
        static final Engine ENGINE = start();
    }

    private static Engine start() {
        int threads = threads();
        String requested = System.getProperty(THREADS);
        if (requested != null && !requested.equals(Integer.toString(threads))) {
            throw new IllegalStateException("-D"
                    + THREADS
                    + "="
                    + requested
                    + " differs from the "
                    + threads
                    + " threads ND4J uses (OMP_NUM_THREADS); drop the property or make them equal");
        }
        System.setProperty(THREADS, Integer.toString(threads));
        // Eager single-graph calls never use the inter-op pool; one thread keeps it from idling on
        // cores.
        System.setProperty(INTEROP_THREADS, System.getProperty(INTEROP_THREADS, "1"));
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        Engine engine = Engine.getEngine("PyTorch");
        int actual = JniUtils.getNumThreads();
        if (actual != threads) {
            throw new IllegalStateException("PyTorch runs "
                    + actual
                    + " intra-op threads, expected "
                    + threads
                    + "; was the engine started before TorchRuntime?");
        }
        return engine;
    }
}

package dev.contrastive.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses between the device kernels ({@link DeviceKernels}, present when engine-core's {@code
 * cuda} jar is on the class path) and the tiled CPU/ND4J path. On the nd4j-cuda backend the CUDA
 * kernels take every float32 call they accept; system property {@code contrastive.kernel=nd4j}
 * keeps every loss on the ND4J path, as it does for the CPU's native kernel.
 */
public final class DeviceDispatch {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceDispatch.class);

    /**
     * In engine-core's cuda jar only (src/cuda/java, built by -Pcuda). Looked up by name, and only on
     * the CUDA backend, so that a CPU class path never loads a class that needs nd4j-cuda.
     */
    private static final String CUDA_KERNELS = "dev.contrastive.core.kernel.cuda.CudaLossKernels";

    private static final DeviceKernels PROVIDER = load();
    private static volatile boolean enabled = PROVIDER != null;

    private DeviceDispatch() {}

    /**
     * Whether device kernels are available: the cuda jar on the nd4j-cuda backend, not refused by
     * {@code contrastive.kernel}.
     */
    public static boolean isAvailable() {
        return PROVIDER != null;
    }

    /** Whether accepted arrays currently take the device kernels. */
    public static boolean isEnabled() {
        return enabled;
    }

    /**
     * Switches between the device kernels and the ND4J path at run time, for tests and benchmarks
     * that compare the two in one JVM.
     */
    public static void setEnabled(boolean on) {
        if (on && PROVIDER == null) {
            throw new IllegalStateException(
                    "no device kernels: they need engine-core's cuda jar (-Pcuda) on the nd4j-cuda backend,"
                            + " and contrastive.kernel=nd4j refuses them");
        }
        enabled = on;
    }

    /** The device kernels for arrays like this one, or null to take the tiled path. */
    static DeviceKernels forArrays(INDArray like) {
        DeviceKernels p = PROVIDER;
        return enabled && p != null && p.accepts(like) ? p : null;
    }

    private static DeviceKernels load() {
        if ("nd4j".equals(System.getProperty("contrastive.kernel", "auto"))
                || !Nd4j.getBackend().getClass().getName().contains("JCublas")) {
            return null;
        }
        try {
            return (DeviceKernels)
                    Class.forName(CUDA_KERNELS).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.warn(
                    "nd4j-cuda backend but no CUDA loss kernels (engine-core's cuda jar, from -Pcuda),"
                            + " using the tiled ND4J path: {}",
                    e.toString());
            return null;
        }
    }
}

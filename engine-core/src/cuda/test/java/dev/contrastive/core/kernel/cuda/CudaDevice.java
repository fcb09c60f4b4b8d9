package dev.contrastive.core.kernel.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.jcublas.JCublasBackend;

/** The GPU tests' precondition: they skip, rather than fail, where no CUDA device is there. */
public final class CudaDevice {

    private CudaDevice() {}

    /** Skips the calling test (class) unless ND4J runs on its CUDA backend with a device. */
    public static void assumePresent() {
        boolean gpu;
        try {
            gpu = Nd4j.getBackend() instanceof JCublasBackend
                    && Nd4j.getAffinityManager().getNumberOfDevices() > 0;
        } catch (RuntimeException | LinkageError e) {
            gpu = false;
        }
        assumeTrue(gpu, "no CUDA device: the nd4j-cuda backend did not load");
    }
}

package dev.contrastive.bench;

import dev.contrastive.bench.torch.TorchRuntime;
import org.nd4j.linalg.factory.Nd4j;

/** Guards against timing ND4J and PyTorch with different native thread counts. */
final class NativeThreads {

    private NativeThreads() {}

    /**
     * Fails unless ND4J's OpenMP pool has the size PyTorch is given ({@link TorchRuntime#threads}).
     */
    static void requireNd4jMatchesTorch() {
        int nd4j = Nd4j.getEnvironment().maxThreads();
        int expected = TorchRuntime.threads();
        if (nd4j != expected) {
            throw new IllegalStateException("ND4J runs "
                    + nd4j
                    + " threads but PyTorch would get "
                    + expected
                    + "; export OMP_NUM_THREADS before the JVM starts (scripts/bench-loss.sh does)");
        }
    }
}

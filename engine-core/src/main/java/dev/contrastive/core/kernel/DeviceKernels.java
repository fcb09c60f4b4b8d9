package dev.contrastive.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fused loss kernels on an accelerator: engine-core's {@code cuda} jar (built by {@code -Pcuda})
 * adds one ({@code dev.contrastive.core.kernel.cuda.CudaLossKernels}); without it there are none.
 * {@link SoftmaxCrossEntropyKernel} and {@link MultiPositiveNceKernel} hand a whole problem to it
 * when {@link DeviceDispatch} selects it, under their own contracts (the first gradient
 * overwritten, the second added to). The tiling option does not apply there: device tiles have a
 * fixed shape.
 */
public interface DeviceKernels {

    /**
     * Whether these kernels run on arrays like this one (type and backend); false keeps the CPU path.
     */
    boolean accepts(INDArray like);

    /** {@link SoftmaxCrossEntropyKernel#run} on the device: the same problem, less the tiling. */
    ScoreStats softmaxCrossEntropy(SoftmaxCrossEntropyKernel.Problem problem);

    /**
     * {@link MultiPositiveNceKernel#run} on the device: the same problem, less the tiling; source row
     * r is image {@code firstImage + r} of the target images.
     */
    ScoreStats multiPositiveNce(MultiPositiveNceKernel.Problem problem);
}

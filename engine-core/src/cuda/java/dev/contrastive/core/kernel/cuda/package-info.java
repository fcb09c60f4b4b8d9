/**
 * The fused loss kernels on NVIDIA GPUs (built by {@code -Pcuda} into engine-core's {@code cuda}
 * jar): the fatbin built from src/main/cuda, loaded through the CUDA driver API into ND4J's context
 * and launched on ND4J's streams. {@link dev.contrastive.core.kernel.DeviceDispatch} instantiates
 * it on the CUDA backend as the losses' {@link dev.contrastive.core.kernel.DeviceKernels}.
 */
package dev.contrastive.core.kernel.cuda;

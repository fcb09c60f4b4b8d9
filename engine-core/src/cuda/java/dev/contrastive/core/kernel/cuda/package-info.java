/**
 * The fused loss kernels on NVIDIA GPUs (compiled only with {@code -Pcuda}): the fatbin built from
 * src/main/cuda, loaded through the CUDA driver API into ND4J's context and launched on ND4J's
 * streams. Registered as a {@link dev.contrastive.core.kernel.DeviceKernels} service, which the
 * losses select on the CUDA backend ({@link dev.contrastive.core.kernel.DeviceDispatch}).
 */
package dev.contrastive.core.kernel.cuda;

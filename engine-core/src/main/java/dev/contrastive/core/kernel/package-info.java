/**
 * Tiled forward-and-backward kernels on ND4J arrays, the engine's hot loops.
 *
 * <p>They run on whichever ND4J backend is active: tiles come from {@code Nd4j.gemm}, row statistics
 * (running max, sum-exp) are folded on the host, and every scratch array lives in a workspace that is
 * reset per tile. The loss classes in {@code dev.contrastive.core.loss} are their only intended
 * callers; their inputs are validated there.
 *
 * <p>{@link dev.contrastive.core.kernel.NativeLayers} and {@link dev.contrastive.core.kernel.NativeAdam}
 * are the exceptions, native CPU kernels for the training step outside the losses: the encoders'
 * batch norm, layer norm and ReLU layers, and the Adam update (engine-models). They validate their
 * own arguments.
 */
package dev.contrastive.core.kernel;

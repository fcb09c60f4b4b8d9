/**
 * Tiled forward-and-backward kernels on ND4J arrays, the engine's hot loops.
 *
 * <p>They run on whichever ND4J backend is active: tiles come from {@code Nd4j.gemm}, row
 * statistics (running max, sum-exp) are folded on the host, and every scratch array lives in a
 * workspace that is reset per tile. The loss classes in {@code dev.contrastive.core.loss} are their
 * only intended callers; their inputs are validated there.
 *
 * <p>{@link dev.contrastive.core.kernel.NativeLibrary}, the loader of the JNI libraries, is the
 * exception: {@code dev.contrastive.core.layers} uses it too, so that its library follows the same
 * switch. This package imports nothing from there.
 */
package dev.contrastive.core.kernel;

/**
 * Native CPU kernels for the training step outside the loss: the encoders' batch norm, layer norm,
 * ReLU and AMDIM's pooled residual sum ({@link dev.contrastive.core.layers.NativeLayers}), and the
 * Adam update of their parameters ({@link dev.contrastive.core.layers.NativeAdam}). Their callers
 * are the layers and the optimiser in engine-models, which keep an ND4J path for everything the
 * kernels do not take (float64, GPU backends); the kernels validate their own arguments.
 *
 * <p>Native because each of these is a chain of 7-12 whole-array ND4J ops, a memory pass each,
 * where a fused C++ sweep (src/main/cpp/contrastive_layers.cpp, contrastive_adam.cpp) makes one or
 * two: on the CPU the layers run 12-18x faster and the update of a 20 M-parameter encoder stops
 * moving 80 MB a dozen times. They are their own library, {@code contrastive_layers}, apart from
 * the loss kernels' ({@code dev.contrastive.core.kernel}), because they serve another caller; both
 * load through {@link dev.contrastive.core.kernel.NativeLibrary} under one switch, {@code
 * -Dcontrastive.kernel}.
 */
package dev.contrastive.core.layers;

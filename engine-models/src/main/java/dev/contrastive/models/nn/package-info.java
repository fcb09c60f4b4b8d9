/**
 * A small layer library on libnd4j ops with hand-written backward passes.
 *
 * <p>Why not DL4J layers or SameDiff: on this machine DL4J's ConvolutionLayer runs about 5x slower
 * than PyTorch while libnd4j's own {@code conv2d} op (oneDNN) runs near peak, and SameDiff batch
 * norm gradients are wrong in M2.1 (a known defect of that release). So each layer calls the
 * libnd4j op directly in {@code forward} and its {@code *_bp} twin in {@code backward}.
 *
 * <p>Batch norm and layer norm have their analytic gradients and two paths each, chosen per forward
 * call: float32 contiguous NCHW arrays on the CPU backend take the fused native kernels of {@link
 * dev.contrastive.core.layers.NativeLayers}: one or two sweeps over the data instead of about ten
 * ND4J ops (profiled before, the AMDIM and CPC encoders spent about 45% and 65% of their time
 * outside the convolutions, largely in these layers). Everything else (float64 gradient checks,
 * other backends, {@code NativeLayers.setEnabled(false)}) takes ND4J reductions. Both can fuse the
 * ReLU that follows ({@code BatchNorm2d.withRelu}, {@code LayerNorm.withRelu}): natively it is part
 * of the same sweep, on the ND4J path a {@link dev.contrastive.models.nn.Relu} module, which itself
 * takes a native pass for float32 CPU input and libnd4j's {@code relu} otherwise.
 *
 * <p>Convolutions have measured fast paths for a few shapes (gemms for 1 x 1 outputs, a
 * deconvolution backward for wide 3 x 3 ones, weight-only gradients for first layers; see {@link
 * dev.contrastive.models.nn.Conv2d}); {@link dev.contrastive.models.nn.FastPaths} switches every
 * fast path off at once.
 *
 * <p>Contract of a {@link dev.contrastive.models.nn.Module}: {@code forward(x, training)} caches
 * what its backward needs; {@code backward(dy)} returns dx and <em>adds</em> the parameter
 * gradients into {@link dev.contrastive.models.nn.Parameters}. Layout NCHW.
 *
 * <p>Native memory: parameters, gradients and buffers live in three flat arrays owned by {@link
 * dev.contrastive.models.nn.Parameters}. Every activation and gradient a module allocates during
 * one step goes into an {@link dev.contrastive.models.nn.Arena} that the model owner clears at the
 * start of the next step (and on close). In ND4J M2.1 closing does not by itself return native
 * memory (see Arena): the training loop must also run a garbage collection per step.
 */
package dev.contrastive.models.nn;

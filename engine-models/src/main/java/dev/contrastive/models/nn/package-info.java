/**
 * A small layer library on libnd4j ops with hand-written backward passes.
 *
 * <p>Why not DL4J layers or SameDiff: on this machine DL4J's ConvolutionLayer runs about 5x slower
 * than PyTorch while libnd4j's own {@code conv2d} op (oneDNN) runs near peak, and SameDiff batch
 * norm has backprop bugs in M2.1 (shared MISSION.md section 4). So each layer calls the libnd4j op
 * directly in {@code forward} and its {@code *_bp} twin in {@code backward}; batch norm is written
 * with ND4J reductions and its analytic gradient.
 *
 * <p>Contract of a {@link dev.contrastive.models.nn.Module}: {@code forward(x, training)} caches
 * what its backward needs; {@code backward(dy)} returns dx and <em>adds</em> the parameter
 * gradients into {@link dev.contrastive.models.nn.Parameters}. Layout NCHW.
 *
 * <p>Native memory: parameters, gradients and buffers live in three flat arrays owned by
 * {@link dev.contrastive.models.nn.Parameters}. Every activation and gradient a module allocates
 * during one step goes into an {@link dev.contrastive.models.nn.Arena} that the model owner clears
 * at the start of the next step (and on close). In ND4J M2.1 closing does not by itself return
 * native memory (see Arena): the training loop must also run a garbage collection per step.
 */
package dev.contrastive.models.nn;

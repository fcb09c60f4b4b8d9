/**
 * The contrastive losses, the public entry points of engine-core: {@link
 * dev.contrastive.core.loss.InfoNceLoss} (NT-Xent), {@link dev.contrastive.core.loss.AmdimLoss}
 * (multi-scale NCE), {@link dev.contrastive.core.loss.CpcLoss} (CPC v2 InfoNCE) and {@link
 * dev.contrastive.core.loss.YadimLoss}.
 *
 * <p>Each is built from an immutable, validated options record and returns, in one fused call, the
 * loss, its parts, {@link dev.contrastive.core.loss.Diagnostics} and the gradient for every input
 * as a {@link dev.contrastive.core.loss.LossResult} that owns the gradients' native memory. Scores
 * are computed in tiles ({@link dev.contrastive.core.kernel.Tiling}); no B x B score matrix is
 * allocated.
 *
 * <p>Each loss also has a shard form for data-parallel training and micro-batching: given a {@link
 * dev.contrastive.core.loss.Shard} of anchor images of the (gathered) batch, it returns their
 * terms, scored against every image, and the gradients they give every input row; {@link
 * dev.contrastive.core.loss.LossResult#combine} sums the shards of a partition into the full call.
 */
package dev.contrastive.core.loss;

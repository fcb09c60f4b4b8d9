/**
 * The training loop: {@link dev.contrastive.models.train.Trainer} runs AMDIM's step (two augmented
 * views, the encoder on each, the fused loss, backward, Adam) with checkpoints that make a resumed
 * run bit-identical to an uninterrupted one, and stops on the first non-finite loss or gradient.
 * The optimiser and schedules live in {@code train.optim}, the checkpoint file in {@code
 * train.checkpoint}.
 */
package dev.contrastive.models.train;

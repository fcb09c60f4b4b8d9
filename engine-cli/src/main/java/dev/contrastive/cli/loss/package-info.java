/**
 * The {@code loss} subcommand of the {@code contrastive} command line, on engine-core's losses.
 *
 * <p>{@link dev.contrastive.cli.loss.LossCommand} computes one loss and its gradients from NumPy
 * files, for cross-checking against a NumPy reference (scripts/loss_reference.py).
 */
package dev.contrastive.cli.loss;

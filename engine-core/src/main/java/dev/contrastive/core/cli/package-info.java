/**
 * Command-line entry points of engine-core, as picocli commands that the top-level {@code
 * contrastive} command (engine-models) mounts as subcommands.
 *
 * <p>{@link dev.contrastive.core.cli.LossCommand} computes one loss and its gradients from NumPy
 * files, for cross-checking against a NumPy reference (scripts/loss_reference.py).
 */
package dev.contrastive.core.cli;

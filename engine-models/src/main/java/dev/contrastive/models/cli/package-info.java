/**
 * The {@code contrastive} command line ({@link dev.contrastive.models.cli.ContrastiveCli}), run by
 * {@code scripts/contrastive} from target/engine-models.jar and target/lib-<backend>.
 */
package dev.contrastive.models.cli;

/**
 * The {@code contrastive} command line ({@link dev.contrastive.cli.ContrastiveCli}), an application
 * on top of the engine's libraries (engine-core, engine-augment, engine-models), run by {@code
 * scripts/contrastive} from engine-cli's target/engine-cli.jar and target/lib-<backend>. The {@code
 * loss} and {@code views} subcommands live in {@code cli.loss} and {@code cli.views}.
 */
package dev.contrastive.cli;

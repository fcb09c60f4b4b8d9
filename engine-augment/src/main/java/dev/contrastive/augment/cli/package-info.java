/**
 * Command-line tasks of engine-augment, as picocli subcommands that the top-level {@code
 * contrastive} command (engine-models) registers: {@link dev.contrastive.augment.cli.ViewsCommand}
 * ({@code views}). They take what they cannot know here, such as how a dataset name is resolved, as
 * constructor arguments.
 */
package dev.contrastive.augment.cli;

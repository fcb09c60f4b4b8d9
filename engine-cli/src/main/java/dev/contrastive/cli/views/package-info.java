/**
 * The {@code views} subcommand of the {@code contrastive} command line, on engine-augment's
 * pipeline: {@link dev.contrastive.cli.views.ViewsCommand}. It takes what it cannot know here, such
 * as how a dataset name is resolved, as a constructor argument.
 */
package dev.contrastive.cli.views;

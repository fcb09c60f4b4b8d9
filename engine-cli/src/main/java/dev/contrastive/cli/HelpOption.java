package dev.contrastive.cli;

import picocli.CommandLine.Option;

/**
 * The {@code -h, --help} option of eval and export, as a picocli mixin; train and the top-level
 * command take picocli's standard help options instead, which add {@code --version}. Their usage
 * lists the options as declared, so each command declares this mixin last.
 */
final class HelpOption {

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean helpRequested;
}

package dev.contrastive.cli;

import dev.contrastive.augment.data.Datasets;
import dev.contrastive.cli.loss.LossCommand;
import dev.contrastive.cli.views.ViewsCommand;
import dev.contrastive.core.EngineVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code contrastive}: the engine's command line; each task is a subcommand. */
@Command(
        name = "contrastive",
        mixinStandardHelpOptions = true,
        versionProvider = ContrastiveCli.Version.class,
        description = "Contrastive self-supervised learning engine (AMDIM, CPC v2, YADIM, InfoNCE).",
        subcommands = {LossCommand.class, EvalCommand.class, ExportCommand.class})
public final class ContrastiveCli {

    /** The engine's version, the one its checkpoints record ({@link EngineVersion}). */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"contrastive " + EngineVersion.get()};
        }
    }

    /**
     * The command line with every subcommand, datasets resolved by {@link Datasets#open}, and one
     * mapping of failures to exit codes ({@link ExitCodes}).
     */
    public static CommandLine commandLine() {
        return new CommandLine(new ContrastiveCli())
                .addSubcommand(new ViewsCommand(Datasets::open))
                .addSubcommand(new TrainCommand(Datasets::open))
                .setExecutionExceptionHandler(ExitCodes::handle);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}

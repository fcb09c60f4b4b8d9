package dev.contrastive.cli;

import dev.contrastive.augment.data.Datasets;
import dev.contrastive.cli.loss.LossCommand;
import dev.contrastive.cli.views.ViewsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code contrastive}: the engine's command line; each task is a subcommand. */
@Command(
    name = "contrastive",
    mixinStandardHelpOptions = true,
    versionProvider = ContrastiveCli.ManifestVersion.class,
    description = "Contrastive self-supervised learning engine (AMDIM, CPC v2, YADIM, InfoNCE).",
    subcommands = {LossCommand.class, EvalCommand.class, ExportCommand.class})
public final class ContrastiveCli {

  /** The Implementation-Version of the engine-cli jar, or "dev" when run from classes. */
  static final class ManifestVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = ContrastiveCli.class.getPackage().getImplementationVersion();
      return new String[] {"contrastive " + (version != null ? version : "dev")};
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

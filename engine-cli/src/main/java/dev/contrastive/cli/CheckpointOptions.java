package dev.contrastive.cli;

import dev.contrastive.models.train.TrainedModel;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of the commands that read a trained checkpoint (eval, export), as a picocli mixin.
 */
final class CheckpointOptions {

    @Option(
            names = "--checkpoint",
            required = true,
            paramLabel = "PATH",
            description = "A checkpoint file, or a run directory (its newest valid checkpoint).")
    Path checkpoint;

    @Option(
            names = "--method",
            paramLabel = "NAME",
            description = "Refuse a checkpoint of any other method (default: take the checkpoint's).")
    String method;

    /** The checkpoint's model; see {@link CommandInputs#checkpoint}. */
    TrainedModel load() {
        return CommandInputs.checkpoint(checkpoint, method);
    }
}

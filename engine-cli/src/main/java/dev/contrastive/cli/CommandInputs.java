package dev.contrastive.cli;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.Datasets;
import dev.contrastive.models.registry.Methods;
import dev.contrastive.models.train.TrainedModel;
import dev.contrastive.models.train.checkpoint.CheckpointFormatException;
import dev.contrastive.models.train.checkpoint.CheckpointIO;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * What the eval and export commands read, turned into one {@link IllegalArgumentException} per bad
 * input that names the option and the file, so the commands can print it and exit with 2.
 */
final class CommandInputs {

    private CommandInputs() {}

    /**
     * The model of a checkpoint file, or of the newest valid checkpoint in a run directory.
     *
     * @param method the method the checkpoint must hold, or null for any
     */
    static TrainedModel checkpoint(Path path, String method) {
        if (method != null) {
            try {
                Methods.get(method);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + e.getMessage(), e);
            }
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("--checkpoint " + path + " does not exist");
        }
        try {
            return method == null ? TrainedModel.load(path) : TrainedModel.load(path, method);
        } catch (CheckpointFormatException e) {
            throw new IllegalArgumentException("--checkpoint " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("--checkpoint " + path + ": " + e.getMessage() + rejectedIn(path), e);
        } catch (IllegalArgumentException e) {
            // A verified file whose configuration or tensors do not make its model.
            throw new IllegalArgumentException("--checkpoint " + path + ": " + e.getMessage(), e);
        }
    }

    /** Why each checkpoint of a run directory was rejected, when that explains a failed load. */
    private static String rejectedIn(Path path) {
        if (!Files.isDirectory(path)) {
            return "";
        }
        try {
            var rejected = CheckpointIO.latest(path).rejected();
            return rejected.isEmpty()
                    ? ""
                    : "; rejected: "
                            + rejected.stream().map(Throwable::getMessage).collect(Collectors.joining("; "));
        } catch (IOException e) {
            return "";
        }
    }

    /** The dataset {@code spec} names, for option {@code option}. */
    static Dataset dataset(String option, String spec) {
        try {
            return Datasets.open(spec);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new IllegalArgumentException(option + " '" + spec + "' cannot be opened: " + e.getMessage(), e);
        }
    }

    /**
     * Fails unless {@code out} can be written: not a directory, in an existing, writable directory.
     */
    static void writableOutput(String option, Path out) {
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException(option + " " + out + " is a directory; name a file");
        }
        Path dir = out.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + out + ": directory " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException(
                    option + " " + out + ": directory " + dir + " is not writable by this user");
        }
    }
}

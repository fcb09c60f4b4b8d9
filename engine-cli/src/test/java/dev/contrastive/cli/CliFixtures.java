package dev.contrastive.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The command lines the commands' tests run again and again, each followed by a test's own options,
 * and the listing of what a command left in a directory.
 */
public final class CliFixtures {

    private CliFixtures() {}

    /** {@code eval} of {@code checkpoint} fitting the probes on {@code train}, scoring them on {@code test}. */
    static String[] eval(Path checkpoint, Path train, Path test, String... more) {
        return join(more, "eval", "--checkpoint", checkpoint, "--train-data", train, "--test-data", test);
    }

    /** {@code export} (HDF5) of {@code checkpoint}'s features of the images {@code data} into {@code out}. */
    static String[] export(Path checkpoint, Path data, Path out, String... more) {
        return join(more, "export", "--checkpoint", checkpoint, "--data", data, "--out", out);
    }

    /** {@code export --format onnx} of {@code checkpoint}'s encoder into {@code out}. */
    static String[] onnxExport(Path checkpoint, Path out, String... more) {
        return join(more, "export", "--format", "onnx", "--checkpoint", checkpoint, "--out", out);
    }

    /** {@code train}, without validation, of {@code steps} steps at batch 16 on {@code data} into {@code run}. */
    static String[] train(Path data, Path run, long steps, String... more) {
        return join(
                more, "train", "--data", data, "--val-data", "none", "--batch", 16, "--steps", steps, "--run-dir", run);
    }

    /** The names of the files in {@code directory}, sorted. */
    public static List<String> fileNames(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The words of {@code head} (paths and numbers as they print), then {@code more}. */
    private static String[] join(String[] more, Object... head) {
        return Stream.concat(Stream.of(head).map(String::valueOf), Stream.of(more))
                .toArray(String[]::new);
    }
}

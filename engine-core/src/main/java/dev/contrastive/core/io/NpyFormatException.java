package dev.contrastive.core.io;

import java.nio.file.Path;

/**
 * A {@code .npy} file that this reader cannot accept; the message names the file and the problem.
 */
public final class NpyFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    NpyFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** The file that was rejected. */
    public Path file() {
        return file;
    }
}

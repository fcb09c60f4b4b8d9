package dev.contrastive.models.train.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file that is not a complete, undamaged checkpoint of a known format version:
 * truncated, wrong magic, unknown version, checksum mismatch, or an inconsistent header.
 *
 * <p>An {@link IOException} because it is a property of a file's content met during I/O, and so
 * that callers handling read errors handle this one too; it is distinct from other IOExceptions
 * (permission denied, disk errors) so that {@link CheckpointIO#latest} can skip a damaged file
 * while still failing loudly on an I/O error, which must not silently resume from older state. The
 * message always names the file, the field or offset, and what was expected versus found.
 */
public final class CheckpointFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public CheckpointFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** The file that failed verification. */
    public Path file() {
        return file;
    }
}

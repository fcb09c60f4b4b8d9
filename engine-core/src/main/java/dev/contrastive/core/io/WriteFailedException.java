package dev.contrastive.core.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An output that {@link AtomicFiles} could not write; the target is left as it was unless the
 * message says otherwise. The message reads "cannot write TARGET: REASON (STEP)", for example
 * "cannot write /data/f.h5: No space left on device (writing the temporary file
 * /data/.f.h5.1k2j3.tmp; f.h5 is unchanged)", so a command can print it as its one line.
 */
public final class WriteFailedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path target;
    private final String reason;

    WriteFailedException(Path target, String reason, String step, IOException cause) {
        super("cannot write " + target + ": " + reason + " (" + step + ")", cause);
        this.target = target;
        this.reason = reason;
    }

    /** The file or directory that was to be written, absolute. */
    public Path target() {
        return target;
    }

    /** The cause as the operating system words it, for example "No space left on device". */
    public String reason() {
        return reason;
    }
}

package dev.contrastive.core.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * An injected disk fault: passes {@code limit} bytes through, then fails as a full disk would; flush or close may
 * fail too, as they do on a disk that fails late.
 */
public final class FailingStream extends FilterOutputStream {

    /** The message of the simulated full disk. */
    public static final String ENOSPC = "No space left on device (simulated)";

    private long left;
    private final boolean failFlush;
    private final boolean failClose;

    /** A stream that fails after {@code limit} bytes, and on flush or close as asked. */
    public FailingStream(OutputStream out, long limit, boolean failFlush, boolean failClose) {
        super(out);
        this.left = limit;
        this.failFlush = failFlush;
        this.failClose = failClose;
    }

    /** A stream whose writes fail after {@code limit} bytes; flush and close succeed. */
    public static FailingStream afterBytes(OutputStream out, long limit) {
        return new FailingStream(out, limit, false, false);
    }

    /**
     * Asserts that {@code e} reports this simulated full disk while writing {@code target}, in the
     * step whose description begins with {@code step}, and says that {@code target} is unchanged.
     */
    public static void assertFullDiskKept(IOException e, Path target, String step) {
        String message = e.getMessage();
        assertTrue(message.startsWith("cannot write " + target + ": " + ENOSPC + " (" + step), message);
        assertTrue(message.endsWith("; " + target.getFileName() + " is unchanged)"), message);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len > left) {
            out.write(b, off, (int) left);
            left = 0;
            throw new IOException(ENOSPC);
        }
        out.write(b, off, len);
        left -= len;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
        if (failFlush) {
            throw new IOException("Input/output error (simulated flush)");
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
        if (failClose) {
            throw new IOException("Input/output error (simulated close)");
        }
    }
}

package dev.contrastive.augment.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Gives random access to a file that may be compressed, detecting gzip ({@code 1f 8b}) and xz
 * ({@code fd 37 7a 58 5a 00}) by their magic bytes.
 *
 * <p>Neither format can seek, so a compressed file is decompressed once, streaming, into a
 * temporary file, and readers use positional reads on that. A temporary file rather than a heap
 * array, because the readers promise files bigger than memory (and arrays stop at 2 GiB); the page
 * cache keeps a small file as fast as a heap copy. The temporary file is opened with {@code
 * DELETE_ON_CLOSE}: on Linux it is unlinked as soon as it is open, so nothing is left on disk even
 * if the dataset is never closed or the JVM is killed.
 */
final class Decompression {

    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};
    private static final byte[] XZ_MAGIC = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};

    private Decompression() {}

    /** A read-only channel over the decompressed bytes of {@code file}; the file itself if raw. */
    static FileChannel open(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(XZ_MAGIC.length);
        }
        if (format(head) == null) {
            return FileChannel.open(file, StandardOpenOption.READ);
        }
        try (BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return toTemporaryFile(file.toString(), in);
        }
    }

    /**
     * A read-only channel over the decompressed bytes of {@code in} (a class path resource), always a
     * temporary copy. Does not close {@code in}.
     */
    static FileChannel open(String source, InputStream in) throws IOException {
        return toTemporaryFile(source, new BufferedInputStream(in, 1 << 16));
    }

    private static String format(byte[] head) {
        if (startsWith(head, XZ_MAGIC)) {
            return "xz";
        }
        return startsWith(head, GZIP_MAGIC) ? "gzip" : null;
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static FileChannel toTemporaryFile(String source, BufferedInputStream in) throws IOException {
        in.mark(XZ_MAGIC.length);
        String format = format(in.readNBytes(XZ_MAGIC.length));
        in.reset();
        Path temp = Files.createTempFile("contrastive-data-", ".bin");
        try {
            long written = 0;
            try (OutputStream out = Files.newOutputStream(temp)) {
                InputStream decoded;
                try {
                    decoded =
                            format == null ? in : format.equals("xz") ? new XZInputStream(in) : new GZIPInputStream(in);
                } catch (IOException e) {
                    throw damaged(source, format, 0, e);
                }
                byte[] buffer = new byte[1 << 16];
                while (true) {
                    int n;
                    try {
                        n = decoded.read(buffer);
                    } catch (IOException e) {
                        if (format == null) {
                            throw e; // an uncompressed resource: a read error, not a format error
                        }
                        throw damaged(source, format, written, e);
                    }
                    if (n < 0) {
                        break;
                    }
                    out.write(buffer, 0, n);
                    written += n;
                }
            }
            return FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.DELETE_ON_CLOSE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** EOFException (truncated), ZipException or CorruptedInputException (damaged). */
    private static DatasetFormatException damaged(String source, String format, long written, IOException e) {
        return new DatasetFormatException(
                source,
                format + " stream after " + written + " decompressed bytes",
                "a complete, undamaged " + format + " stream",
                e.getClass().getSimpleName() + " (" + e.getMessage() + ")");
    }
}

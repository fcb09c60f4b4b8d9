package dev.contrastive.core.io;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The one way the engine writes an output file (checkpoints, metrics, curves, reports, HDF5 and
 * {@code .npy} files) or a directory of outputs, so that a full disk, a file-size limit, a
 * read-only directory or a crash never leaves a half-written file under the target's name.
 *
 * <p>A file is written to a temporary file beside the target (same directory, so the same file
 * system and an atomic rename), named {@code .<name>.<random>.tmp}; every write, the flush, the
 * fsync and the close are checked; then the temporary file is renamed over the target with {@code
 * ATOMIC_MOVE} and the directory is fsync'd so the rename survives a power loss. The target is
 * therefore at every moment its old content (or absent) or the complete new file. On any failure
 * the temporary file is deleted, the target is left as it was, and the {@link IOException} names
 * the target, the cause as the operating system words it (for example "No space left on device" or
 * "File too large") and the step that failed ({@link WriteFailedException}).
 *
 * <p>A process killed mid-write (SIGKILL, power loss) leaves its temporary file; the next
 * successful write of the same target removes it.
 */
public final class AtomicFiles {

    /** Writes of at least this many bytes bypass the buffer, so big arrays are not copied. */
    private static final int BUFFER_BYTES = 1 << 16;

    private AtomicFiles() {}

    /** Writes the bytes of a file. */
    @FunctionalInterface
    public interface Content {
        /**
         * Writes the whole file to {@code out}, which is buffered; closing it only flushes it, so that
         * a try-with-resources writer around it does no harm.
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Fills a new, empty directory. */
    @FunctionalInterface
    public interface DirectoryContent {
        /** Writes every file of the output into {@code dir}, for example with {@link #write}. */
        void writeInto(Path dir) throws IOException;
    }

    /** Replaces {@code target} with {@code bytes}; see the class documentation. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Replaces {@code target} with {@code text} in UTF-8; see the class documentation. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Replaces {@code target} with what {@code content} writes; see the class documentation.
     *
     * @throws WriteFailedException naming {@code target} and the cause, the target left as it was; an
     *     IOException of {@code content} is wrapped the same way (a RuntimeException passes
     *     unchanged, the temporary file removed all the same)
     */
    public static void write(Path target, Content content) throws IOException {
        write(target, content, UnaryOperator.identity());
    }

    /**
     * {@link #write(Path, Content)} with the temporary file's stream decorated: tests make its
     * writes, flush or close fail.
     */
    static void write(Path target, Content content, UnaryOperator<OutputStream> decorate) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path temp = dir.resolve(hiddenName(absolute, "tmp"));
        String step = "creating the temporary file " + temp;
        boolean created = false;
        boolean renamed = false;
        try {
            // Not Files.createTempFile: that creates mode 0600, and the rename would give the target
            // that mode instead of the usual 0666 less the umask. Not a FileChannel: a channel closes
            // itself when the writing thread is interrupted, and a stop request that interrupts a
            // trainer must not cost it the checkpoint it is writing.
            Files.createFile(temp);
            created = true;
            try (FileOutputStream file = new FileOutputStream(temp.toFile())) {
                step = "writing the temporary file " + temp;
                OutputStream out = new BufferedOutputStream(decorate.apply(file), BUFFER_BYTES);
                content.writeTo(new FlushOnClose(out));
                out.flush();
                step = "syncing the temporary file " + temp + " to disk";
                file.getFD().sync();
                step = "closing the temporary file " + temp;
                out.close();
            }
            step = "renaming the temporary file " + temp + " over it";
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
            step = "syncing the directory " + dir + " after the rename";
            syncDirectory(dir);
        } catch (IOException e) {
            IOException failure = new WriteFailedException(
                    absolute,
                    reason(e),
                    step
                            + (renamed
                                    ? "; the file holds the new content, which a crash could still undo"
                                    : "; " + absolute.getFileName() + " is unchanged"),
                    e);
            if (created && !renamed) {
                deleteAfterFailure(temp, failure);
            }
            throw failure;
        } catch (RuntimeException | Error e) {
            if (created && !renamed) {
                deleteAfterFailure(temp, e);
            }
            throw e;
        }
        removeLeftovers(absolute);
    }

    /**
     * Replaces the directory {@code target} (absent, or a directory) with a new one that {@code
     * content} fills, as one unit: the files go into a temporary sibling directory {@code
     * .<name>.<random>.tmp}, which is fsync'd and then renamed to {@code target}; the previous
     * directory is renamed aside first ({@code .<name>.<random>.old}) and deleted only once the new
     * one is in place. So {@code target} never mixes files of two runs: it is the complete old output
     * or the complete new one, except that a crash in the instant between the two renames leaves it
     * absent with the old output complete in the {@code .old} sibling. On failure the temporary
     * directory is removed and {@code target} is left as it was. Leftovers of killed runs are removed
     * after the next successful replacement. A symbolic link {@code target} is followed: the
     * directory it points to is replaced and the link kept.
     *
     * @throws WriteFailedException naming {@code target} and the cause (a file that failed inside is
     *     named relative to the temporary directory)
     */
    public static void replaceDirectory(Path target, DirectoryContent content) throws IOException {
        Path absolute = target.toAbsolutePath();
        if (Files.isSymbolicLink(absolute) && Files.isDirectory(absolute)) {
            absolute = absolute.toRealPath();
        }
        if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("cannot write " + absolute + ": it exists and is not a directory");
        }
        Path parent = absolute.getParent();
        Path fresh = parent.resolve(hiddenName(absolute, "tmp"));
        String step = "creating the temporary directory " + fresh;
        try {
            Files.createDirectory(fresh);
        } catch (IOException e) {
            throw directoryFailure(absolute, step, e);
        }
        try {
            step = "writing into the temporary directory " + fresh;
            content.writeInto(fresh);
            step = "syncing the temporary directory " + fresh;
            syncDirectory(fresh);
        } catch (IOException e) {
            // A file written inside is named relative to the temporary directory, which is removed.
            IOException failure =
                    e instanceof WriteFailedException inner && inner.target().startsWith(fresh)
                            ? new WriteFailedException(
                                    absolute,
                                    inner.reason(),
                                    "writing "
                                            + fresh.relativize(inner.target())
                                            + " into the temporary directory "
                                            + fresh
                                            + "; "
                                            + absolute.getFileName()
                                            + " is unchanged",
                                    e)
                            : directoryFailure(absolute, step, e);
            deleteTreeAfterFailure(fresh, failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            deleteTreeAfterFailure(fresh, e);
            throw e;
        }
        Path old = null;
        try {
            if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
                old = parent.resolve(hiddenName(absolute, "old"));
                step = "renaming the previous directory aside to " + old;
                Files.move(absolute, old, StandardCopyOption.ATOMIC_MOVE);
            }
            step = "renaming the temporary directory " + fresh + " into place";
            Files.move(fresh, absolute, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            IOException failure = directoryFailure(absolute, step, e);
            if (old != null && !Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.move(old, absolute, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException undo) {
                    failure = new WriteFailedException(
                            absolute,
                            reason(e),
                            step + "; the previous directory could not be moved back and is complete in " + old,
                            e);
                    failure.addSuppressed(undo);
                }
            }
            deleteTreeAfterFailure(fresh, failure);
            throw failure;
        }
        try {
            syncDirectory(parent);
        } catch (IOException e) {
            throw new WriteFailedException(
                    absolute,
                    reason(e),
                    "syncing the directory "
                            + parent
                            + " after the rename; "
                            + absolute.getFileName()
                            + " holds the new output, which a crash could still undo",
                    e);
        }
        // The previous directory goes with the leftovers of killed runs.
        removeLeftovers(absolute);
    }

    /**
     * Fsyncs a directory, so that the names created, renamed or deleted in it survive a power loss.
     */
    public static void syncDirectory(Path dir) throws IOException {
        // A channel is the only handle Java has on a directory, and it closes itself when the thread
        // is interrupted: the interrupt is held back for the fsync and restored after it.
        boolean interrupted = Thread.interrupted();
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Windows cannot open a directory as a channel; there NTFS journals the rename itself. On
            // Linux and macOS the open succeeds, so a failure of force() is rethrown.
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The operating system's words for {@code e}: {@link FileSystemException#getMessage} puts the
     * path first (and, for access denied, says nothing else), which the callers name themselves.
     */
    static String reason(IOException e) {
        if (e instanceof FileSystemException fs) {
            if (fs.getReason() != null) {
                return fs.getReason();
            }
            if (e instanceof AccessDeniedException) {
                return "Permission denied";
            }
            if (e instanceof NoSuchFileException) {
                return "No such file or directory";
            }
            if (e instanceof FileAlreadyExistsException) {
                return "File exists";
            }
            if (e instanceof DirectoryNotEmptyException) {
                return "Directory not empty";
            }
            if (e instanceof NotDirectoryException) {
                return "Not a directory";
            }
            return e.getClass().getSimpleName() + " on " + fs.getFile();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static IOException directoryFailure(Path target, String step, IOException e) {
        return new WriteFailedException(target, reason(e), step + "; " + target.getFileName() + " is unchanged", e);
    }

    private static String hiddenName(Path target, String suffix) {
        return "."
                + target.getFileName()
                + "."
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36)
                + "."
                + suffix;
    }

    /**
     * Removes what killed writers of {@code target} left beside it: files or directories named as
     * {@link #hiddenName} names them. Best effort: one that cannot be removed now is tried next time.
     */
    private static void removeLeftovers(Path target) {
        String name = Pattern.quote(target.getFileName().toString());
        Pattern leftover = Pattern.compile("\\." + name + "\\.[0-9a-z]{1,13}\\.(tmp|old)");
        List<Path> found;
        try (Stream<Path> siblings = Files.list(target.getParent())) {
            found = siblings.filter(
                            p -> leftover.matcher(p.getFileName().toString()).matches())
                    .toList();
        } catch (IOException e) {
            return;
        }
        for (Path p : found) {
            try {
                deleteTree(p);
            } catch (IOException e) {
                // Another writer of the same target may hold it, or it went already; neither is an error.
            }
        }
    }

    private static void deleteAfterFailure(Path temp, Throwable failure) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    private static void deleteTreeAfterFailure(Path dir, Throwable failure) {
        try {
            deleteTree(dir);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Deletes a file, or a directory and all in it; symbolic links are deleted, not followed. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Lets a writer's close() flush the stream without closing the channel under it. */
    private static final class FlushOnClose extends FilterOutputStream {
        FlushOnClose(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}

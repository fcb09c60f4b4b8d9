package dev.contrastive.models.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a run directory, held for the whole of a {@link Trainer#fit()}: two trainers
 * on one directory would interleave their checkpoints and metrics rows. It is an operating-system
 * file lock ({@link FileChannel#tryLock()} on {@code .lock}), so it dies with its process: a run
 * killed with SIGKILL leaves a lock file that no longer blocks anyone. The file holds the holder's
 * process id, for the refusal message.
 */
final class RunDirectoryLock implements AutoCloseable {

    static final String FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RunDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code runDir} (which must exist).
     *
     * @throws IllegalArgumentException naming the directory and the holder's process id if another
     *     process (or another trainer in this one) holds it
     * @throws IOException if the lock file cannot be opened or written
     */
    static RunDirectoryLock acquire(Path runDir) throws IOException {
        Path file = runDir.resolve(FILE);
        FileChannel channel =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IllegalArgumentException("run directory "
                    + runDir
                    + " is in use by process "
                    + holder(file)
                    + " (it holds "
                    + file
                    + "); wait for it to end or use another directory");
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.force(false);
        } catch (IOException e) {
            lock.release();
            channel.close();
            throw new IOException("cannot write the lock file " + file + ": " + e.getMessage(), e);
        }
        return new RunDirectoryLock(channel, lock);
    }

    private static String holder(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return pid.isEmpty() ? "(unknown)" : pid;
        } catch (IOException e) {
            return "(unknown)";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}

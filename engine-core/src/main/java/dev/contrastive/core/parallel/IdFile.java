package dev.contrastive.core.parallel;

import dev.contrastive.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Hands a communicator's unique id from rank 0 to the other processes through a file on the
 * filesystem they share (the one hand-written piece of the multi-process protocol; everything after
 * it is NCCL's). The file is one line, the id in hex, written with {@link AtomicFiles} (a temporary
 * file renamed over the name), so a reader never sees half an id: the file is absent or complete.
 */
public final class IdFile {

    /**
     * How often a waiting process looks for the file: shared filesystems are slow to show new files.
     */
    private static final Duration POLL = Duration.ofMillis(200);

    private IdFile() {}

    /**
     * Rank 0's side: writes {@code id} to {@code file}.
     *
     * @throws IllegalStateException if the file exists: it is left by an earlier launch, and the
     *     other processes may already have read its dead id
     */
    public static void publish(Path file, byte[] id) throws IOException {
        if (Files.exists(file)) {
            throw new IllegalStateException("the id file "
                    + file
                    + " already exists: it was left by an earlier"
                    + " launch (the other processes may have read its id); each launch needs its own file, remove it"
                    + " or name another");
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFiles.writeString(file, HexFormat.of().formatHex(id) + "\n");
    }

    /**
     * Every other rank's side: waits for {@code file} and reads an id of {@code length} bytes from
     * it.
     *
     * @throws CollectiveException if the file does not appear within {@code timeout} (rank 0 did not
     *     start, failed, or writes elsewhere)
     * @throws IllegalStateException naming the file if it does not hold an id of {@code length} bytes
     */
    public static byte[] await(Path file, int length, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            } catch (NoSuchFileException e) {
                if (System.nanoTime() >= deadline) {
                    throw new CollectiveException(
                            "no id file "
                                    + file
                                    + " after "
                                    + timeout
                                    + ": rank 0 writes it when it"
                                    + " starts; it did not start, failed, or was given another "
                                    + ProcessGroupSpec.ID_FILE,
                            -1,
                            e);
                }
                sleep(file);
                continue;
            }
            return parse(file, text, length);
        }
    }

    /** Deletes the file once every process has joined, so that no later launch can read it. */
    public static void remove(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    private static byte[] parse(Path file, String text, int length) {
        if (text.length() != 2 * length || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
            throw new IllegalStateException("the id file "
                    + file
                    + " does not hold a "
                    + length
                    + "-byte id in hex ("
                    + 2 * length
                    + " hex digits): it holds "
                    + text.length()
                    + " characters, '"
                    + shown
                    + "'");
        }
        return HexFormat.of().parseHex(text);
    }

    private static void sleep(Path file) {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("interrupted while waiting for the id file " + file, -1, e);
        }
    }
}

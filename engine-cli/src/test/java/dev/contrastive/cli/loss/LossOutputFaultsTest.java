package dev.contrastive.cli.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.cli.CliFixtures;
import dev.contrastive.core.io.Npy;
import dev.contrastive.core.testing.FileSizeLimit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;

/**
 * {@code loss --out} under real faults, in child JVMs: a file-size limit (ulimit -f, so writes fail
 * with EFBIG as on a full disk) and SIGKILL in the middle of writing. --out must hold the complete
 * previous output or the complete new one, never a mix.
 */
class LossOutputFaultsTest {

    @TempDir
    Path dir;

    private Path out;
    private Map<String, String> previous;

    /** Runs the loss command in a child JVM, as the contrastive script would. */
    public static final class Main {
        public static void main(String[] args) {
            System.exit(new CommandLine(new LossCommand()).execute(args));
        }
    }

    @BeforeEach
    void writePreviousOutput() throws IOException {
        out = dir.resolve("out");
        Path small = features("small", 4, 8, 1);
        assertEquals(
                0,
                new CommandLine(new LossCommand())
                        .execute("--type", "infonce", "--in", small.toString(), "--out", out.toString()));
        previous = snapshot(out);
    }

    @Test
    void aWriteRefusedByTheFileSizeLimitExitsWithOneNamingTheFileAndKeepsThePreviousOutput() throws Exception {
        // 256 x 512 float32 gradients are 512 KiB each; the limit is 64 KiB.
        Path big = features("big", 256, 512, 2);
        Process child = child("ulimit -f 64 && exec \"$@\"", big);
        String stderr = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(2, TimeUnit.MINUTES));

        assertEquals(LossCommand.EXIT_WRITE_FAILED, child.exitValue(), stderr);
        assertTrue(
                stderr.startsWith("loss: cannot write "
                        + out
                        + ": File too large (writing"
                        + " grad_a.npy into the temporary directory "
                        + dir.resolve(".out.")),
                stderr);
        assertTrue(stderr.strip().endsWith("; out is unchanged)"), stderr);
        assertEquals(1, stderr.strip().lines().count(), stderr);
        assertEquals(previous, snapshot(out));
        assertEquals(List.of("big", "out", "small"), CliFixtures.fileNames(dir), "the temporary directory is removed");
    }

    @Test
    void aRunKilledWhileWritingLeavesThePreviousOrTheNewOutputComplete() throws Exception {
        // 2048 x 2048 float32: 16 MiB per gradient, so writing takes a while.
        Path big = features("big", 2048, 2048, 3);
        Path reference = dir.resolve("reference");
        assertEquals(
                0,
                new CommandLine(new LossCommand())
                        .execute("--type", "infonce", "--in", big.toString(), "--out", reference.toString()));
        Map<String, String> next = snapshot(reference);

        List<String> seen = new ArrayList<>();
        for (long delayMillis : new long[] {0, 5, 30}) {
            Process child = child("exec \"$@\"", big);
            waitForTemporaryDirectory(child);
            Thread.sleep(delayMillis);
            child.destroyForcibly(); // SIGKILL on Linux
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));

            Map<String, String> now = Files.exists(out) ? snapshot(out) : null;
            if (now == null) {
                // Killed between the two renames: the previous output waits complete beside it.
                Path aside = leftovers().stream()
                        .filter(p -> p.toString().endsWith(".old"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("out is gone and no .old sibling holds it"));
                assertEquals(previous, snapshot(aside));
                seen.add("absent, previous aside");
                Files.move(aside, out);
            } else if (now.equals(previous)) {
                seen.add("previous");
            } else {
                assertEquals(next, now, "delay " + delayMillis + " ms: neither the previous nor the new");
                seen.add("new");
                // Back to the previous output for the next kill.
                assertEquals(
                        0,
                        new CommandLine(new LossCommand())
                                .execute(
                                        "--type",
                                        "infonce",
                                        "--in",
                                        dir.resolve("small").toString(),
                                        "--out",
                                        out.toString()));
                assertEquals(previous, snapshot(out));
            }
        }
        assertTrue(seen.contains("previous"), "no kill landed before the swap: " + seen);

        // The next run removes what the killed ones left.
        assertEquals(
                0,
                new CommandLine(new LossCommand())
                        .execute("--type", "infonce", "--in", big.toString(), "--out", out.toString()));
        assertEquals(next, snapshot(out));
        assertEquals(List.of(), leftovers());
    }

    private Process child(String script, Path in) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", "-c", script, "bash"));
        command.addAll(FileSizeLimit.javaCommand(
                Main.class, "--type", "infonce", "--in", in.toString(), "--out", out.toString()));
        return new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private void waitForTemporaryDirectory(Process child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (leftovers().stream().anyMatch(p -> p.toString().endsWith(".tmp"))) {
                return;
            }
            if (!child.isAlive()) {
                throw new AssertionError("the child ended before it was killed, exit "
                        + child.exitValue()
                        + ": "
                        + new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the child wrote no temporary directory within 2 minutes");
    }

    /** The hidden siblings of --out: temporary and set-aside directories. */
    private List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(".out."))
                    .toList();
        }
    }

    private Path features(String name, int rows, int cols, long seed) throws IOException {
        Path in = Files.createDirectories(dir.resolve(name));
        Nd4j.getRandom().setSeed(seed);
        Npy.write(in.resolve("a.npy"), Nd4j.randn(DataType.FLOAT, rows, cols));
        Npy.write(in.resolve("b.npy"), Nd4j.randn(DataType.FLOAT, rows, cols));
        return in;
    }

    /** Each file of a directory by name, with a digest of its bytes. */
    private static Map<String, String> snapshot(Path directory) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(directory)) {
            for (Path file : list.toList()) {
                files.put(file.getFileName().toString(), digest(Files.readAllBytes(file)));
            }
        }
        return files;
    }

    private static String digest(byte[] bytes) {
        try {
            return Base64.getEncoder()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}

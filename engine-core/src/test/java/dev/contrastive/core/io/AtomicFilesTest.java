package dev.contrastive.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.testing.FailingStream;
import dev.contrastive.core.testing.FileSizeLimit;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AtomicFilesTest {

    @TempDir
    Path dir;

    /**
     * Writes {@code bytes} through the stream {@code decorate} puts in the way; the write must fail.
     */
    private static IOException failedWrite(Path target, byte[] bytes, UnaryOperator<OutputStream> decorate) {
        return assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> out.write(bytes), decorate));
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private List<String> listing() throws IOException {
        return names(dir);
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> s = Files.list(directory)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writeReplacesTheTargetWithTheUsualPermissionsAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("out.bin");
        AtomicFiles.write(target, random(1000, 1));
        AtomicFiles.write(target, random(300_000, 2));
        assertArrayEquals(random(300_000, 2), Files.readAllBytes(target));
        AtomicFiles.writeString(dir.resolve("text.json"), "{\"ä\": 1}");
        assertEquals("{\"ä\": 1}", Files.readString(dir.resolve("text.json")));
        // Not createTempFile's owner-only 0600: the mode any new file of this process gets.
        Path reference = Files.createFile(dir.resolve("reference"));
        assertEquals(
                PosixFilePermissions.toString(Files.getPosixFilePermissions(reference)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals(List.of("out.bin", "reference", "text.json"), listing());
    }

    @Test
    void closingTheGivenStreamOnlyFlushesIt() throws IOException {
        Path target = dir.resolve("closed.txt");
        AtomicFiles.write(target, out -> {
            try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                w.write("first");
            }
            out.write('!');
        });
        assertEquals("first!", Files.readString(target));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 4095, 65_536, 65_537, 250_000})
    void aWriteThatFailsAfterNBytesKeepsTheOldFileByteForByte(long limit) throws IOException {
        Path target = dir.resolve("model.bin");
        byte[] old = random(200_000, 3);
        AtomicFiles.write(target, old);

        IOException e = failedWrite(target, random(300_000, 4), raw -> FailingStream.afterBytes(raw, limit));

        FailingStream.assertFullDiskKept(e, target, "writing");
        assertArrayEquals(old, Files.readAllBytes(target));
        assertEquals(List.of("model.bin"), listing(), "no temporary file left");
    }

    @Test
    void aFailedFlushOrCloseIsAnErrorAndKeepsTheOldFile() throws IOException {
        Path target = dir.resolve("metrics.csv");
        AtomicFiles.writeString(target, "step,loss\n1,2.0\n");
        for (boolean failFlush : new boolean[] {true, false}) {
            IOException e = failedWrite(
                    target, random(10, 5), raw -> new FailingStream(raw, Long.MAX_VALUE, failFlush, !failFlush));
            String expected = failFlush ? "simulated flush) (writing" : "simulated close) (closing";
            assertTrue(e.getMessage().contains(expected), e.getMessage());
            assertTrue(e.getMessage().startsWith("cannot write " + target + ": "), e.getMessage());
            assertEquals("step,loss\n1,2.0\n", Files.readString(target));
            assertEquals(List.of("metrics.csv"), listing());
        }
    }

    @Test
    void contentThatFailsIsWrappedNamingTheTargetAndRuntimeExceptionsPassUnchanged() throws IOException {
        Path target = dir.resolve("eval.json");
        IOException e = assertThrows(
                IOException.class,
                () -> AtomicFiles.write(target, out -> {
                    out.write(random(100_000, 6));
                    throw new IOException("H5Dwrite failed");
                }));
        assertTrue(e.getMessage().startsWith("cannot write " + target + ": H5Dwrite failed (writing"), e.getMessage());
        IllegalStateException bug = new IllegalStateException("bug");
        assertSame(
                bug,
                assertThrows(
                        IllegalStateException.class,
                        () -> AtomicFiles.write(target, out -> {
                            out.write(1);
                            throw bug;
                        })));
        assertEquals(List.of(), listing());
    }

    @Test
    void aTargetThatIsADirectoryFailsAtTheRenameNamingTheCause() throws IOException {
        Path occupied = Files.createDirectory(dir.resolve("x.npy"));
        Files.writeString(occupied.resolve("keep"), "x");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(occupied, random(10, 7)));
        assertTrue(
                e.getMessage().startsWith("cannot write " + occupied + ": Is a directory (renaming"), e.getMessage());
        assertEquals(List.of("x.npy"), listing());
        assertEquals(List.of("keep"), names(occupied));
    }

    @Test
    void aMissingDirectoryNamesTheTemporaryFileItCouldNotCreate() {
        Path target = dir.resolve("missing").resolve("f.h5");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, new byte[1]));
        assertTrue(
                e.getMessage()
                        .startsWith("cannot write "
                                + target
                                + ": No such file or directory (creating the temporary"
                                + " file "
                                + dir.resolve("missing").resolve(".f.h5.")),
                e.getMessage());
    }

    @Test
    void leftoversOfKilledWritesAreRemovedByTheNextWriteOfTheSameTarget() throws IOException {
        Files.writeString(dir.resolve(".f.h5.k3j2x9.tmp"), "a killed write");
        Files.createDirectories(dir.resolve(".out.abc.old").resolve("sub"));
        Files.writeString(dir.resolve(".other.h5.k3j2x9.tmp"), "another target's");
        Files.writeString(dir.resolve(".f.h5.notes"), "not ours");
        AtomicFiles.writeString(dir.resolve("f.h5"), "new");
        AtomicFiles.replaceDirectory(dir.resolve("out"), d -> AtomicFiles.writeString(d.resolve("x"), ""));
        assertEquals(List.of(".f.h5.notes", ".other.h5.k3j2x9.tmp", "f.h5", "out"), listing());
    }

    /** A real write error: the child JVM runs under ulimit -f, so the kernel refuses with EFBIG. */
    @Test
    void aFileSizeLimitFailsTheWriteInAChildProcessAndKeepsTheOldFile() throws Exception {
        Path target = dir.resolve("big.bin");
        byte[] old = random(10_000, 8);
        AtomicFiles.write(target, old);
        // ulimit -f counts KiB: 64 KiB for a 1 MiB file.
        FileSizeLimit.Result r =
                FileSizeLimit.run(dir, 64, WriteMain.class, target.toString(), Integer.toString(1 << 20));
        String output = r.output();
        assertEquals(FileSizeLimit.EXIT_IO, r.exitCode(), output);
        assertTrue(
                output.startsWith("cannot write " + target + ": File too large (writing the temporary file"), output);
        assertArrayEquals(old, Files.readAllBytes(target));
        assertEquals(List.of("big.bin"), listing());
    }

    /** The child of the file-size test: writes N bytes to a file, prints the error. */
    public static final class WriteMain {
        public static void main(String[] args) {
            try {
                AtomicFiles.write(Path.of(args[0]), random(Integer.parseInt(args[1]), 9));
            } catch (IOException e) {
                System.out.println(e.getMessage());
                System.exit(FileSizeLimit.EXIT_IO);
            }
        }
    }

    @Test
    void replaceDirectorySwapsInTheCompleteNewDirectory() throws IOException {
        Path out = dir.resolve("out");
        AtomicFiles.replaceDirectory(out, d -> {
            AtomicFiles.writeString(d.resolve("a"), "old a");
            AtomicFiles.writeString(d.resolve("b"), "old b");
        });
        AtomicFiles.replaceDirectory(out, d -> AtomicFiles.writeString(d.resolve("a"), "new a"));
        assertEquals(List.of("a"), names(out));
        assertEquals("new a", Files.readString(out.resolve("a")));
        assertEquals(List.of("out"), listing());
    }

    @Test
    void aFailureWhileFillingTheDirectoryLeavesTheOldOneAsItWas() throws IOException {
        Path out = dir.resolve("out");
        AtomicFiles.replaceDirectory(out, d -> AtomicFiles.writeString(d.resolve("loss.json"), "old"));
        IOException e = assertThrows(
                IOException.class,
                () -> AtomicFiles.replaceDirectory(out, d -> {
                    AtomicFiles.writeString(d.resolve("grad_a.npy"), "new");
                    AtomicFiles.write(
                            d.resolve("grad_b.npy"),
                            o -> o.write(new byte[100]),
                            raw -> FailingStream.afterBytes(raw, 10));
                }));
        FailingStream.assertFullDiskKept(
                e, out, "writing grad_b.npy into the temporary directory " + dir.resolve(".out."));
        assertEquals(List.of("loss.json"), names(out));
        assertEquals("old", Files.readString(out.resolve("loss.json")));
        assertEquals(List.of("out"), listing());
    }

    @Test
    void replaceDirectoryRefusesAFileAndFollowsALink() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.replaceDirectory(file, d -> {}));
        assertEquals("cannot write " + file + ": it exists and is not a directory", e.getMessage());

        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        AtomicFiles.replaceDirectory(link, d -> AtomicFiles.writeString(d.resolve("x"), "via link"));
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("via link", Files.readString(real.resolve("x")));
        assertEquals(List.of("file", "link", "real"), listing());
    }
}

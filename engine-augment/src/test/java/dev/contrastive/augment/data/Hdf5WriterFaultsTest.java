package dev.contrastive.augment.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.testing.FailingStream;
import dev.contrastive.core.testing.FileSizeLimit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Hdf5Writer} when the disk refuses: an injected stream that fails after N bytes, and a real
 * file-size limit (ulimit -f, EFBIG) in a child JVM, where libhdf5 writing the file itself used to
 * die with SIGSEGV in H5F_get_nrefs at exit after a failed H5Fclose.
 */
class Hdf5WriterFaultsTest {

    @TempDir
    Path dir;

    private final List<Image> images = DataFiles.randomImages(3, 400, 3, 16, 16, 10);

    private Path previous() throws IOException {
        Path file = dir.resolve("data.h5");
        Hdf5Writer.write(file, InMemoryDataset.of("previous", images.subList(0, 50), 10), Hdf5WriteOptions.defaults());
        return file;
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1000, 100_000})
    void aCommitThatFailsAfterNBytesKeepsTheOldFileReadable(long limit) throws IOException {
        Path file = previous();
        byte[] before = Files.readAllBytes(file);

        IOException e;
        try (Hdf5Writer writer = Hdf5Writer.create(
                file, 3, 16, 16, true, Hdf5WriteOptions.defaults().withDeflateLevel(0))) {
            for (Image image : images) {
                writer.append(image);
            }
            e = assertThrows(IOException.class, () -> writer.commit(out -> FailingStream.afterBytes(out, limit)));
        }

        FailingStream.assertFullDiskKept(e, file, "writing the temporary file " + dir.resolve(".data.h5."));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (Hdf5Dataset data = Hdf5Dataset.open(file)) {
            assertEquals(images.subList(0, 50), DataFiles.readAll(data));
        }
        assertEquals(List.of("data.h5"), names(dir));
        // libhdf5 is still sound: the next write succeeds.
        Hdf5Writer.write(file, InMemoryDataset.of("next", images, 10), Hdf5WriteOptions.defaults());
        try (Hdf5Dataset data = Hdf5Dataset.open(file)) {
            assertEquals(400, data.info().size());
        }
    }

    @Test
    void aMissingDirectoryIsRefusedBeforeAnyImageIsAppended() {
        Path file = dir.resolve("missing").resolve("data.h5");
        IOException e = assertThrows(
                IOException.class, () -> Hdf5Writer.create(file, 3, 16, 16, true, Hdf5WriteOptions.defaults()));
        assertEquals(
                "cannot write HDF5 file " + file + ": its directory " + file.getParent() + " does not exist",
                e.getMessage());
    }

    @Test
    void aFileSizeLimitIsAnErrorNamingTheFileNotACrash() throws Exception {
        Path file = previous();
        byte[] before = Files.readAllBytes(file);
        Path work = Files.createDirectory(dir.resolve("work"));
        // 400 uncompressed 3 x 16 x 16 images are 300 KiB; the limit is 64 KiB.
        FileSizeLimit.Result r = FileSizeLimit.run(work, 64, WriteMain.class, file.toString());
        String output = r.output();
        assertEquals(FileSizeLimit.EXIT_IO, r.exitCode(), output);
        assertTrue(
                output.startsWith("cannot write " + file + ": File too large (writing the temporary" + " file"),
                output);
        assertArrayEquals(before, Files.readAllBytes(file));
        try (Hdf5Dataset data = Hdf5Dataset.open(file)) {
            assertEquals(images.subList(0, 50), DataFiles.readAll(data));
        }
        assertEquals(List.of(), names(work), "no hs_err_pid*.log: the JVM did not crash");
        assertEquals(List.of("data.h5", "work"), names(dir));
    }

    /** The child of the file-size test: writes 400 images to the file, prints the error. */
    public static final class WriteMain {
        public static void main(String[] args) {
            try {
                Hdf5Writer.write(
                        Path.of(args[0]),
                        InMemoryDataset.of("next", DataFiles.randomImages(3, 400, 3, 16, 16, 10), 10),
                        Hdf5WriteOptions.defaults().withDeflateLevel(0));
            } catch (IOException e) {
                System.out.println(e.getMessage());
                System.exit(FileSizeLimit.EXIT_IO);
            }
        }
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}

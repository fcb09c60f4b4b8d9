package dev.contrastive.augment.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxDatasetTest {

    @TempDir
    Path dir;

    private final List<Image> images = DataFiles.randomImages(1, 37, 1, 5, 7, 4);

    private Path images(String name, UnaryOperator<byte[]> encode) throws IOException {
        return DataFiles.write(dir.resolve(name), encode.apply(DataFiles.idxImages(images, 5, 7)));
    }

    private Path labels(String name, UnaryOperator<byte[]> encode) throws IOException {
        return DataFiles.write(dir.resolve(name), encode.apply(DataFiles.idxLabels(images)));
    }

    private static byte[] gzip(byte[] data) {
        try {
            return DataFiles.gzip(data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] xz(byte[] data) {
        try {
            return DataFiles.xz(data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The message of the format error opening {@code images} with raw labels of the same images gives. */
    private String openWithRawLabels(Path images) throws IOException {
        Path labels = labels("y", b -> b);
        return DataFiles.formatError(() -> IdxDataset.open(images, labels));
    }

    @Test
    void rawFilesReadByOffsetGiveTheWrittenImages() throws IOException {
        Path x = images("x-idx3-ubyte", b -> b);
        try (IdxDataset data = IdxDataset.open(x, labels("y-idx1-ubyte", b -> b))) {
            assertEquals(DataFiles.info(x.toString(), 37, 1, 5, 7, 4), data.info());
            assertEquals(images, DataFiles.readAll(data));
            assertEquals(images.get(36), data.get(36));
        }
    }

    @Test
    void gzipAndXzFilesGiveTheSameImagesAsRaw() throws IOException {
        try (IdxDataset gz =
                        IdxDataset.open(images("x.gz", IdxDatasetTest::gzip), labels("y.gz", IdxDatasetTest::gzip));
                IdxDataset xz =
                        IdxDataset.open(images("x.xz", IdxDatasetTest::xz), labels("y.xz", IdxDatasetTest::xz))) {
            assertEquals(images, DataFiles.readAll(gz));
            assertEquals(images, DataFiles.readAll(xz));
            // Out of order: random access on the decompressed copy.
            assertEquals(images.get(20), gz.get(20));
            assertEquals(images.get(3), gz.get(3));
        }
    }

    @Test
    void mixedCompressionIsDetectedPerFile() throws IOException {
        try (IdxDataset data = IdxDataset.open(images("x.gz", IdxDatasetTest::gzip), labels("y", b -> b))) {
            assertEquals(images, DataFiles.readAll(data));
        }
    }

    @Test
    void streamRunsBesideRandomAccess() throws IOException {
        try (IdxDataset data = IdxDataset.open(images("x", b -> b), labels("y", b -> b))) {
            var it = data.stream();
            for (int i = 0; i < images.size(); i++) {
                assertEquals(images.get(images.size() - 1 - i), data.get(images.size() - 1 - i));
                assertEquals(images.get(i), it.next());
            }
            assertTrue(!it.hasNext());
        }
    }

    @Test
    void swappedFilesFailOnTheMagicNumber() throws IOException {
        Path x = images("x", b -> b);
        Path y = labels("y", b -> b);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxDataset.open(y, x));
        assertEquals(y.toString(), e.source());
        assertEquals(
                y
                        + ": magic number (offset 0): expected 0x00000803 (unsigned byte, 3 dimensions:"
                        + " images), found 0x00000801",
                e.getMessage());
    }

    @Test
    void wrongLabelMagicNamesTheLabelsFile() throws IOException {
        Path x = images("x", b -> b);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxDataset.open(x, x));
        assertTrue(e.getMessage().startsWith(x + ": magic number (offset 0): expected 0x00000801"), e.getMessage());
    }

    @Test
    void truncatedRawImagesNameExpectedAndFoundSizes() throws IOException {
        Path x = images("x", b -> b);
        DataFiles.truncate(x, 16 + 36 * 35 + 10);
        assertEquals(
                x
                        + ": file size: expected 1311 bytes (16-byte header + 37 records x 35 bytes, as"
                        + " the header declares), found 1286 bytes: the file is truncated",
                openWithRawLabels(x));
    }

    @Test
    void truncatedHeaderIsReported() throws IOException {
        Path x = images("x", b -> b);
        DataFiles.truncate(x, 9);
        assertEquals(
                x
                        + ": header (offset 0): expected 16 bytes of IDX image header, found 9 bytes:"
                        + " the file is truncated",
                openWithRawLabels(x));
    }

    @Test
    void trailingDataIsReported() throws IOException {
        Path x = images("x", b -> b);
        Files.write(x, new byte[3], java.nio.file.StandardOpenOption.APPEND);
        String message = openWithRawLabels(x);
        assertTrue(message.endsWith("found 1314 bytes: trailing data"), message);
    }

    @Test
    void truncatedGzipNamesTheStreamPosition() throws IOException {
        Path x = images("x.gz", IdxDatasetTest::gzip);
        DataFiles.truncate(x, Files.size(x) / 2);
        String message = openWithRawLabels(x);
        assertTrue(message.startsWith(x + ": gzip stream after "), message);
        assertTrue(message.contains("expected a complete, undamaged gzip stream, found EOFException"), message);
    }

    @Test
    void truncatedXzIsReported() throws IOException {
        Path x = images("x.xz", IdxDatasetTest::xz);
        DataFiles.truncate(x, Files.size(x) - 20);
        String message = openWithRawLabels(x);
        assertTrue(message.startsWith(x + ": xz stream after "), message);
    }

    @Test
    void gzipWhoseContentIsTruncatedFailsOnTheDeclaredSize() throws IOException {
        byte[] raw = DataFiles.idxImages(images, 5, 7);
        Path x = DataFiles.write(dir.resolve("x.gz"), DataFiles.gzip(java.util.Arrays.copyOf(raw, raw.length - 35)));
        String message = openWithRawLabels(x);
        assertTrue(message.startsWith(x + ": file size: expected 1311 bytes"), message);
        assertTrue(message.endsWith("found 1276 bytes: the file is truncated"), message);
    }

    @Test
    void labelCountOtherThanImageCountIsReported() throws IOException {
        Path x = images("x", b -> b);
        Path y = DataFiles.write(dir.resolve("y"), DataFiles.idxLabels(images.subList(0, 36)));
        assertEquals(
                y + ": label count (offset 4): expected 37 labels, one per image in " + x + ", found 36 labels",
                DataFiles.formatError(() -> IdxDataset.open(x, y)));
    }

    @Test
    void theClassCountIsInferredFromTheLargestLabelAndSaid() throws IOException {
        // The reported case: one stray 77 among labels 0..9 made 78 classes without a word.
        List<Image> stray = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            stray.add(new Image(new byte[6], 1, 2, 3, i == 11 ? 77 : i % 10));
        }
        Path x = DataFiles.write(dir.resolve("x"), DataFiles.idxImages(stray, 2, 3));
        Path y = DataFiles.write(dir.resolve("y"), DataFiles.idxLabels(stray));
        try (LogLines log = new LogLines(IdxDataset.class);
                IdxDataset data = IdxDataset.open(x, y)) {
            assertEquals(78, data.info().classes());
            assertEquals(77, data.get(11).label());
            assertEquals(
                    List.of(y + ": 78 classes inferred from the largest label, 77 (11 distinct" + " labels occur)"),
                    log.info());
        }
    }

    @Test
    void missingFileIsAnIoError() {
        assertThrows(
                java.nio.file.NoSuchFileException.class,
                () -> IdxDataset.open(dir.resolve("absent"), dir.resolve("absent-too")));
    }
}

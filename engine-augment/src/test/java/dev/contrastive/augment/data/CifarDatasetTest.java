package dev.contrastive.augment.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarDatasetTest {

    @TempDir
    Path dir;

    @Test
    void cifar10BatchFilesReadAsOneDatasetInOrder() throws IOException {
        List<Image> first = DataFiles.randomImages(1, 7, 3, 32, 32, 10);
        List<Image> second = DataFiles.randomImages(2, 5, 3, 32, 32, 10);
        Path a = DataFiles.write(dir.resolve("data_batch_1.bin"), DataFiles.cifar10(first));
        Path b = DataFiles.write(dir.resolve("data_batch_2.bin"), DataFiles.cifar10(second));
        List<Image> all = new ArrayList<>(first);
        all.addAll(second);
        try (CifarDataset data = CifarDataset.open10(a, b)) {
            assertEquals(12, data.size());
            assertEquals(10, data.info().classes());
            assertEquals(3, data.info().channels());
            assertEquals(all, DataFiles.readAll(data));
            assertEquals(second.get(0), data.get(7));
        }
    }

    @Test
    void emptyBatchFileBetweenOthersIsSkipped() throws IOException {
        List<Image> first = DataFiles.randomImages(1, 3, 3, 32, 32, 10);
        List<Image> last = DataFiles.randomImages(2, 2, 3, 32, 32, 10);
        Path a = DataFiles.write(dir.resolve("a.bin"), DataFiles.cifar10(first));
        Path empty = DataFiles.write(dir.resolve("empty.bin"), new byte[0]);
        Path b = DataFiles.write(dir.resolve("b.bin"), DataFiles.cifar10(last));
        try (CifarDataset data = CifarDataset.open10(a, empty, b)) {
            assertEquals(last.get(0), data.get(3));
            assertEquals(5, DataFiles.readAll(data).size());
        }
    }

    @Test
    void pixelPlanesAreChannelMajorRowMajor() throws IOException {
        byte[] record = new byte[3073];
        record[0] = 4;
        record[1 + 1024 + 2 * 32 + 5] = 77; // green, row 2, column 5
        Path file = DataFiles.write(dir.resolve("one.bin"), record);
        try (CifarDataset data = CifarDataset.open10(file)) {
            Image image = data.get(0);
            assertEquals(4, image.label());
            assertEquals(77, image.pixel(1, 2, 5));
            assertEquals(0, image.pixel(1, 5, 2));
        }
    }

    @Test
    void cifar100FineByDefaultCoarseOnRequest() throws IOException {
        List<Image> images = DataFiles.randomImages(3, 9, 3, 32, 32, 100);
        int[] coarse = images.stream().mapToInt(image -> image.label() / 5).toArray();
        Path file = DataFiles.write(dir.resolve("train.bin"), DataFiles.cifar100(images, coarse));
        try (CifarDataset fine = CifarDataset.open100(file);
                CifarDataset superclasses = CifarDataset.open100(CifarDataset.Cifar100Labels.COARSE, file)) {
            assertEquals(100, fine.info().classes());
            assertEquals(images, DataFiles.readAll(fine));
            assertEquals(20, superclasses.info().classes());
            List<Image> read = DataFiles.readAll(superclasses);
            for (int i = 0; i < images.size(); i++) {
                assertEquals(new Image(images.get(i).pixels(), 3, 32, 32, coarse[i]), read.get(i));
            }
        }
    }

    @Test
    void truncatedFileNamesTheIncompleteRecord() throws IOException {
        Path file = DataFiles.write(
                dir.resolve("data_batch_1.bin"), DataFiles.cifar10(DataFiles.randomImages(1, 4, 3, 32, 32, 10)));
        DataFiles.truncate(file, 3 * 3073 + 100);
        assertEquals(
                file
                        + ": record 3 (offset 9219): expected a whole number of 3073-byte CIFAR-10"
                        + " records (file size a multiple of 3073), found 100 of 3073 bytes: the file is truncated"
                        + " (size 9319)",
                DataFiles.formatError(() -> CifarDataset.open10(file)));
    }

    @Test
    void cifar10FileOpenedAsCifar100IsNotWholeRecords() throws IOException {
        Path file = DataFiles.write(
                dir.resolve("data_batch_1.bin"), DataFiles.cifar10(DataFiles.randomImages(1, 5, 3, 32, 32, 10)));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> CifarDataset.open100(file));
        assertTrue(e.getMessage().contains("whole number of 3074-byte CIFAR-100 records"), e.getMessage());
    }

    @Test
    void outOfRangeLabelFailsOnReadNamingItsOffset() throws IOException {
        List<Image> images = DataFiles.randomImages(1, 3, 3, 32, 32, 10);
        byte[] bytes = DataFiles.cifar10(images);
        bytes[2 * 3073] = 10;
        Path file = DataFiles.write(dir.resolve("bad.bin"), bytes);
        try (CifarDataset data = CifarDataset.open10(file)) {
            assertEquals(images.get(1), data.get(1));
            assertEquals(
                    file + ": label of record 2 (offset 6146): expected a value in [0, 10), found 10",
                    DataFiles.formatError(() -> data.get(2)));
            var it = data.stream();
            it.next();
            it.next();
            assertThrows(DatasetFormatException.class, it::next);
        }
    }

    /** Opens one CIFAR file in one of the layouts. */
    @FunctionalInterface
    private interface Opener {
        CifarDataset open(Path file) throws IOException;
    }

    /** {@code file} opens, and reading image {@code index} fails with its name, ": " and {@code expected}. */
    private static void assertReadRefused(Path file, Opener opener, int index, String expected) throws IOException {
        try (CifarDataset data = opener.open(file)) {
            assertEquals(file + ": " + expected, DataFiles.formatError(() -> data.get(index)));
        }
    }

    @Test
    void outOfRangeFineLabelIsReported() throws IOException {
        List<Image> images = DataFiles.randomImages(1, 2, 3, 32, 32, 100);
        byte[] bytes = DataFiles.cifar100(images, new int[] {1, 2});
        bytes[3074 + 1] = (byte) 100;
        assertReadRefused(
                DataFiles.write(dir.resolve("bad.bin"), bytes),
                file -> CifarDataset.open100(file),
                1,
                "fine label of record 1 (offset 3075): expected a value in [0, 100), found 100");
    }

    @Test
    void outOfRangeCoarseLabelIsReportedAndALabelByteIsUnsigned() throws IOException {
        List<Image> images = DataFiles.randomImages(1, 2, 3, 32, 32, 100);
        assertReadRefused(
                DataFiles.write(dir.resolve("bad.bin"), DataFiles.cifar100(images, new int[] {1, 20})),
                file -> CifarDataset.open100(CifarDataset.Cifar100Labels.COARSE, file),
                1,
                "coarse label of record 1 (offset 3074): expected a value in [0, 20), found 20");
        byte[] bytes = DataFiles.cifar10(images);
        bytes[0] = (byte) 255;
        assertReadRefused(
                DataFiles.write(dir.resolve("data_batch_1.bin"), bytes),
                file -> CifarDataset.open10(file),
                0,
                "label of record 0 (offset 0): expected a value in [0, 10), found 255");
    }

    @Test
    void noFilesIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CifarDataset.open10());
        assertEquals("CIFAR-10 files must name at least one file, got none", e.getMessage());
    }
}

package dev.contrastive.augment.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Stl10DatasetTest {

    @TempDir
    Path dir;

    private final List<Image> images = DataFiles.randomImages(5, 6, 3, 96, 96, 10);

    @Test
    void labeledSplitIsTransposedToRowMajorWithLabelsFromZero() throws IOException {
        Path x = DataFiles.write(dir.resolve("train_X.bin"), DataFiles.stl10Images(images));
        Path y = DataFiles.write(dir.resolve("train_y.bin"), DataFiles.stl10Labels(images));
        try (Stl10Dataset data = Stl10Dataset.open(x, y)) {
            assertEquals(DataFiles.info("STL-10 " + x, 6, 3, 96, 96, 10), data.info());
            assertEquals(images, DataFiles.readAll(data));
        }
    }

    @Test
    void columnMajorMeansTheSecondStoredByteIsTheSecondRow() throws IOException {
        byte[] x = new byte[3 * 96 * 96];
        x[1] = 9; // red, column 0, row 1
        x[96] = 5; // red, column 1, row 0
        x[2 * 96 * 96 + 3 * 96 + 2] = 7; // blue, column 3, row 2
        Path file = DataFiles.write(dir.resolve("unlabeled_X.bin"), x);
        try (Stl10Dataset data = Stl10Dataset.openUnlabeled(file)) {
            Image image = data.get(0);
            assertEquals(9, image.pixel(0, 1, 0));
            assertEquals(5, image.pixel(0, 0, 1));
            assertEquals(7, image.pixel(2, 2, 3));
        }
    }

    @Test
    void unlabeledSplitHasNoClasses() throws IOException {
        Path x = DataFiles.write(dir.resolve("unlabeled_X.bin"), DataFiles.stl10Images(images));
        try (Stl10Dataset data = Stl10Dataset.openUnlabeled(x)) {
            assertFalse(data.info().labeled());
            List<Image> read = DataFiles.readAll(data);
            for (int i = 0; i < images.size(); i++) {
                assertEquals(Image.UNLABELED, read.get(i).label());
                assertEquals(new Image(images.get(i).pixels(), 3, 96, 96, Image.UNLABELED), read.get(i));
            }
        }
    }

    @Test
    void truncatedImagesFileIsReported() throws IOException {
        Path x = DataFiles.write(dir.resolve("train_X.bin"), DataFiles.stl10Images(images));
        DataFiles.truncate(x, 5L * 27648 + 1);
        assertEquals(
                x
                        + ": record 5 (offset 138240): expected a whole number of 27648-byte STL-10"
                        + " images (3 x 96 x 96) (file size a multiple of 27648), found 1 of 27648 bytes: the file"
                        + " is truncated (size 138241)",
                DataFiles.formatError(() -> Stl10Dataset.openUnlabeled(x)));
    }

    @Test
    void labelCountOtherThanImageCountIsReported() throws IOException {
        Path x = DataFiles.write(dir.resolve("train_X.bin"), DataFiles.stl10Images(images));
        Path y = DataFiles.write(dir.resolve("train_y.bin"), DataFiles.stl10Labels(images.subList(0, 4)));
        assertEquals(
                y + ": label count (file size): expected 6 labels, one byte per image in " + x + ", found 4 labels",
                DataFiles.formatError(() -> Stl10Dataset.open(x, y)));
    }

    @Test
    void labelOutsideOneToTenIsReportedWithItsOffset() throws IOException {
        Path x = DataFiles.write(dir.resolve("test_X.bin"), DataFiles.stl10Images(images));
        byte[] labels = DataFiles.stl10Labels(images);
        labels[3] = 0;
        Path y = DataFiles.write(dir.resolve("test_y.bin"), labels);
        assertEquals(
                y + ": label 3 (offset 3): expected a class in [1, 10], found 0",
                DataFiles.formatError(() -> Stl10Dataset.open(x, y)));
        labels[3] = 1;
        labels[5] = 11;
        DataFiles.write(y, labels);
        assertEquals(
                y + ": label 5 (offset 5): expected a class in [1, 10], found 11",
                DataFiles.formatError(() -> Stl10Dataset.open(x, y)));
    }
}

package dev.contrastive.augment.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.ImageFolderDataset.ColorMode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderDatasetTest {

    @TempDir
    Path root;

    /** A W x H image of {@code type} with seeded random pixels; returns what was written. */
    private static BufferedImage write(Path file, int type, int width, int height, long seed) throws IOException {
        BufferedImage image = new BufferedImage(width, height, type);
        Random random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (type == BufferedImage.TYPE_BYTE_GRAY) {
                    image.getRaster().setSample(x, y, 0, random.nextInt(256));
                } else {
                    image.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
        }
        Files.createDirectories(file.getParent());
        String format = file.toString().toLowerCase().endsWith(".png") ? "png" : "jpeg";
        assertTrue(ImageIO.write(image, format, file.toFile()), "no ImageIO writer for " + format);
        return image;
    }

    private static int gray(BufferedImage image, int x, int y) {
        return image.getRaster().getSample(x, y, 0);
    }

    private static int rgb(BufferedImage image, int c, int x, int y) {
        return (image.getRGB(x, y) >> (16 - 8 * c)) & 0xFF;
    }

    @Test
    void grayscaleIsDetectedAndClassesFollowSortedFolderNames() throws IOException {
        BufferedImage dog0 = write(root.resolve("dog/0.png"), BufferedImage.TYPE_BYTE_GRAY, 5, 3, 1);
        BufferedImage cat1 = write(root.resolve("cat/b.png"), BufferedImage.TYPE_BYTE_GRAY, 5, 3, 2);
        BufferedImage cat0 = write(root.resolve("cat/a.PNG"), BufferedImage.TYPE_BYTE_GRAY, 5, 3, 3);
        Files.writeString(root.resolve("cat/notes.txt"), "not an image");
        Files.writeString(root.resolve("cat/.hidden.png"), "not an image either");
        Files.writeString(root.resolve("README"), "a file at the root is not a class");
        try (ImageFolderDataset data = ImageFolderDataset.open(root)) {
            assertEquals(
                    DatasetInfo.builder()
                            .name(root.toString())
                            .size(3)
                            .channels(1)
                            .height(3)
                            .width(5)
                            .classes(2)
                            .build(),
                    data.info());
            List<Image> read = DataFiles.readAll(data);
            BufferedImage[] expected = {cat0, cat1, dog0};
            int[] labels = {0, 0, 1};
            for (int i = 0; i < 3; i++) {
                assertEquals(labels[i], read.get(i).label());
                for (int y = 0; y < 3; y++) {
                    for (int x = 0; x < 5; x++) {
                        assertEquals(gray(expected[i], x, y), read.get(i).pixel(0, y, x), "image " + i);
                    }
                }
            }
        }
    }

    @Test
    void rgbIsDetectedAndReadExactlyFromPng() throws IOException {
        BufferedImage image = write(root.resolve("a/0.png"), BufferedImage.TYPE_INT_RGB, 4, 6, 4);
        try (ImageFolderDataset data = ImageFolderDataset.open(root)) {
            assertEquals(3, data.info().channels());
            Image read = data.get(0);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 6; y++) {
                    for (int x = 0; x < 4; x++) {
                        assertEquals(rgb(image, c, x, y), read.pixel(c, y, x));
                    }
                }
            }
        }
    }

    @Test
    void grayscaleModeTakesTheLumaOfRgb() throws IOException {
        BufferedImage image = write(root.resolve("a/0.png"), BufferedImage.TYPE_INT_RGB, 4, 4, 5);
        try (ImageFolderDataset data = ImageFolderDataset.open(root, ColorMode.GRAYSCALE)) {
            Image read = data.get(0);
            assertEquals(1, read.channels());
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    int luma = (299 * rgb(image, 0, x, y) + 587 * rgb(image, 1, x, y) + 114 * rgb(image, 2, x, y) + 500)
                            / 1000;
                    assertEquals(luma, read.pixel(0, y, x));
                }
            }
        }
    }

    @Test
    void rgbModeRepeatsGrayValuesUnchanged() throws IOException {
        BufferedImage image = write(root.resolve("a/0.png"), BufferedImage.TYPE_BYTE_GRAY, 4, 4, 6);
        try (ImageFolderDataset data = ImageFolderDataset.open(root, ColorMode.RGB)) {
            Image read = data.get(0);
            assertEquals(3, read.channels());
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 4; x++) {
                        assertEquals(gray(image, x, y), read.pixel(c, y, x));
                    }
                }
            }
        }
    }

    @Test
    void jpegIsRead() throws IOException {
        write(root.resolve("a/0.jpg"), BufferedImage.TYPE_INT_RGB, 16, 8, 7);
        write(root.resolve("b/0.jpeg"), BufferedImage.TYPE_INT_RGB, 16, 8, 8);
        try (ImageFolderDataset data = ImageFolderDataset.open(root)) {
            assertEquals(
                    DatasetInfo.builder()
                            .name(root.toString())
                            .size(2)
                            .channels(3)
                            .height(8)
                            .width(16)
                            .classes(2)
                            .build(),
                    data.info());
            assertEquals(1, DataFiles.readAll(data).get(1).label());
        }
    }

    @Test
    void aDifferentSizeNamesTheFirstFileThatDiffers() throws IOException {
        write(root.resolve("a/0.png"), BufferedImage.TYPE_BYTE_GRAY, 4, 3, 1);
        write(root.resolve("a/1.png"), BufferedImage.TYPE_BYTE_GRAY, 4, 3, 2);
        Path odd = root.resolve("b/0.png");
        write(odd, BufferedImage.TYPE_BYTE_GRAY, 5, 3, 3);
        write(root.resolve("b/1.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 3, 4);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> ImageFolderDataset.open(root));
        assertEquals(
                odd
                        + ": image size (width x height): expected 4 x 3, the size of "
                        + root.resolve("a/0.png")
                        + ", found 5 x 3",
                e.getMessage());
    }

    @Test
    void aFileThatIsNoImageIsReportedAtOpen() throws IOException {
        write(root.resolve("a/0.png"), BufferedImage.TYPE_BYTE_GRAY, 4, 3, 1);
        Path fake = Files.writeString(root.resolve("a/1.png"), "not a png at all");
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> ImageFolderDataset.open(root));
        assertEquals(
                fake
                        + ": image header (offset 0): expected a PNG or JPEG image, found a format"
                        + " no ImageIO reader recognises",
                e.getMessage());
    }

    @Test
    void truncatedPngFailsWhenRead() throws IOException {
        Path file = root.resolve("a/0.png");
        write(file, BufferedImage.TYPE_INT_RGB, 32, 32, 1);
        DataFiles.truncate(file, Files.size(file) - 40);
        try (ImageFolderDataset data = ImageFolderDataset.open(root)) {
            DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> data.get(0));
            assertTrue(
                    e.getMessage()
                            .startsWith(file
                                    + ": image data: expected a complete, undamaged"
                                    + " png image, found decoder error"),
                    e.getMessage());
        }
    }

    @Test
    void truncatedJpegFailsWhenReadRatherThanComingBackGrey() throws IOException {
        Path file = root.resolve("a/0.jpg");
        write(file, BufferedImage.TYPE_INT_RGB, 64, 64, 1);
        DataFiles.truncate(file, Files.size(file) / 2);
        try (ImageFolderDataset data = ImageFolderDataset.open(root)) {
            DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> data.get(0));
            assertTrue(
                    e.getMessage()
                            .startsWith(file
                                    + ": image data: expected a complete, undamaged"
                                    + " JPEG image, found decoder"),
                    e.getMessage());
        }
    }

    @Test
    void noClassFoldersOrNoImagesAreReported() throws IOException {
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> ImageFolderDataset.open(root));
        assertEquals(root + ": class folders: expected one subfolder per class, found no subfolders", e.getMessage());
        Files.createDirectories(root.resolve("a"));
        Files.writeString(root.resolve("a/x.txt"), "text");
        e = assertThrows(DatasetFormatException.class, () -> ImageFolderDataset.open(root));
        assertEquals(
                root
                        + ": images: expected PNG or JPEG files (.png, .jpg, .jpeg) in the class"
                        + " folders, found none in 1 class folders",
                e.getMessage());
    }

    @Test
    void nullModeIsRejected() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ImageFolderDataset.open(root, null));
        assertEquals("imagefolder.mode must be DETECT, GRAYSCALE or RGB, got null", e.getMessage());
    }
}

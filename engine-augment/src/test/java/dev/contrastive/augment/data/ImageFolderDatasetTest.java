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
import java.util.function.LongUnaryOperator;
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

    /** What pixel (c, x, y) of an image read must be. */
    @FunctionalInterface
    private interface ExpectedPixel {
        int at(int c, int x, int y);
    }

    /**
     * {@code read} has {@code channels} channels of the size of {@code written}, and every pixel
     * {@code expected} says.
     */
    private static void assertPixels(
            BufferedImage written, ExpectedPixel expected, int channels, Image read, String message) {
        assertEquals(channels, read.channels(), message);
        assertEquals(written.getHeight(), read.height(), message);
        assertEquals(written.getWidth(), read.width(), message);
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < written.getHeight(); y++) {
                for (int x = 0; x < written.getWidth(); x++) {
                    assertEquals(expected.at(c, x, y), read.pixel(c, y, x), message);
                }
            }
        }
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
            assertEquals(DataFiles.info(root.toString(), 3, 1, 3, 5, 2), data.info());
            List<Image> read = DataFiles.readAll(data);
            BufferedImage[] expected = {cat0, cat1, dog0};
            int[] labels = {0, 0, 1};
            for (int i = 0; i < 3; i++) {
                assertEquals(labels[i], read.get(i).label());
                BufferedImage written = expected[i];
                assertPixels(written, (c, x, y) -> gray(written, x, y), 1, read.get(i), "image " + i);
            }
        }
    }

    @Test
    void rgbIsDetectedAndReadExactlyFromPng() throws IOException {
        BufferedImage image = write(root.resolve("a/0.png"), BufferedImage.TYPE_INT_RGB, 4, 6, 4);
        try (ImageFolderDataset data = ImageFolderDataset.open(root)) {
            assertEquals(3, data.info().channels());
            assertPixels(image, (c, x, y) -> rgb(image, c, x, y), 3, data.get(0), "RGB pixel");
        }
    }

    @Test
    void grayscaleModeTakesTheLumaOfRgb() throws IOException {
        BufferedImage image = write(root.resolve("a/0.png"), BufferedImage.TYPE_INT_RGB, 4, 4, 5);
        try (ImageFolderDataset data = ImageFolderDataset.open(root, ColorMode.GRAYSCALE)) {
            assertPixels(
                    image,
                    (c, x, y) ->
                            (299 * rgb(image, 0, x, y) + 587 * rgb(image, 1, x, y) + 114 * rgb(image, 2, x, y) + 500)
                                    / 1000,
                    1,
                    data.get(0),
                    "luma");
        }
    }

    @Test
    void rgbModeRepeatsGrayValuesUnchanged() throws IOException {
        BufferedImage image = write(root.resolve("a/0.png"), BufferedImage.TYPE_BYTE_GRAY, 4, 4, 6);
        try (ImageFolderDataset data = ImageFolderDataset.open(root, ColorMode.RGB)) {
            assertPixels(image, (c, x, y) -> gray(image, x, y), 3, data.get(0), "gray value in every channel");
        }
    }

    @Test
    void jpegIsRead() throws IOException {
        write(root.resolve("a/0.jpg"), BufferedImage.TYPE_INT_RGB, 16, 8, 7);
        write(root.resolve("b/0.jpeg"), BufferedImage.TYPE_INT_RGB, 16, 8, 8);
        try (ImageFolderDataset data = ImageFolderDataset.open(root)) {
            assertEquals(DataFiles.info(root.toString(), 2, 3, 8, 16, 2), data.info());
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
        assertEquals(
                odd
                        + ": image size (width x height): expected 4 x 3, the size of "
                        + root.resolve("a/0.png")
                        + ", found 5 x 3",
                DataFiles.formatError(() -> ImageFolderDataset.open(root)));
    }

    @Test
    void aFileThatIsNoImageIsReportedAtOpen() throws IOException {
        write(root.resolve("a/0.png"), BufferedImage.TYPE_BYTE_GRAY, 4, 3, 1);
        Path fake = Files.writeString(root.resolve("a/1.png"), "not a png at all");
        assertEquals(
                fake
                        + ": image header (offset 0): expected a PNG or JPEG image, found a format"
                        + " no ImageIO reader recognises",
                DataFiles.formatError(() -> ImageFolderDataset.open(root)));
    }

    /**
     * A {@code side} x {@code side} RGB image written to {@code a/name} and cut to {@code keep} of its
     * bytes opens, and reading it fails with a message starting with its file and {@code expected}.
     */
    private void assertTruncatedFailsWhenRead(String name, int side, LongUnaryOperator keep, String expected)
            throws IOException {
        Path file = root.resolve("a").resolve(name);
        write(file, BufferedImage.TYPE_INT_RGB, side, side, 1);
        DataFiles.truncate(file, keep.applyAsLong(Files.size(file)));
        try (ImageFolderDataset data = ImageFolderDataset.open(root)) {
            String message = DataFiles.formatError(() -> data.get(0));
            assertTrue(message.startsWith(file + expected), message);
        }
    }

    @Test
    void truncatedPngFailsWhenRead() throws IOException {
        assertTruncatedFailsWhenRead(
                "0.png",
                32,
                size -> size - 40,
                ": image data: expected a complete, undamaged png image, found decoder error");
    }

    @Test
    void truncatedJpegFailsWhenReadRatherThanComingBackGrey() throws IOException {
        assertTruncatedFailsWhenRead(
                "0.jpg",
                64,
                size -> size / 2,
                ": image data: expected a complete, undamaged JPEG image, found decoder");
    }

    @Test
    void noClassFoldersOrNoImagesAreReported() throws IOException {
        assertEquals(
                root + ": class folders: expected one subfolder per class, found no subfolders",
                DataFiles.formatError(() -> ImageFolderDataset.open(root)));
        Files.createDirectories(root.resolve("a"));
        Files.writeString(root.resolve("a/x.txt"), "text");
        assertEquals(
                root
                        + ": images: expected PNG or JPEG files (.png, .jpg, .jpeg) in the class"
                        + " folders, found none in 1 class folders",
                DataFiles.formatError(() -> ImageFolderDataset.open(root)));
    }

    @Test
    void nullModeIsRejected() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ImageFolderDataset.open(root, null));
        assertEquals("imagefolder.mode must be DETECT, GRAYSCALE or RGB, got null", e.getMessage());
    }
}

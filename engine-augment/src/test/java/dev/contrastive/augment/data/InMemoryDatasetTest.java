package dev.contrastive.augment.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.io.Npy;
import dev.contrastive.core.io.NpyFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class InMemoryDatasetTest {

    @TempDir
    Path dir;

    private final List<Image> images = DataFiles.randomImages(3, 6, 3, 4, 5, 7);

    /** {@link #images} as a UINT8 N x C x H x W array. */
    private INDArray uint8(List<Image> from) {
        Image first = from.get(0);
        byte[] bytes = DataFiles.pixels(from);
        int[] values = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            values[i] = Byte.toUnsignedInt(bytes[i]);
        }
        return Nd4j.createFromArray(values)
                .castTo(DataType.UINT8)
                .reshape(from.size(), first.channels(), first.height(), first.width());
    }

    private static int[] labels(List<Image> from) {
        return from.stream().mapToInt(Image::label).toArray();
    }

    @Test
    void ofCopiesTheImagesInAndOut() {
        List<Image> given = new ArrayList<>(images);
        InMemoryDataset data = InMemoryDataset.of("six", given, 7);
        assertEquals(DataFiles.info("six", 6, 3, 4, 5, 7), data.info());
        assertEquals(images, DataFiles.readAll(data));

        // Changing the caller's list or pixels, or an image handed out, changes nothing in the dataset.
        byte[] expected = images.get(2).pixels().clone();
        given.get(2).pixels()[0]++;
        data.get(2).pixels()[1]++;
        given.set(2, images.get(3));
        assertArrayEquals(expected, data.get(2).pixels());
    }

    @Test
    void ofAnUnlabeledSet() {
        List<Image> unlabeled = DataFiles.randomImages(4, 3, 1, 2, 2, 0);
        InMemoryDataset data = InMemoryDataset.of("u", unlabeled, 0);
        assertFalse(data.info().labeled());
        assertEquals(unlabeled, DataFiles.readAll(data));
        data.close();
        assertEquals(unlabeled.get(1), data.get(1), "close does nothing");
    }

    @Test
    void ofRefusesWhatItCannotHold() {
        assertEquals(
                "inmemory.images must hold at least one image (the first gives the shape), got" + " none",
                message(() -> InMemoryDataset.of("x", List.of(), 0)));
        List<Image> mixed = new ArrayList<>(images);
        mixed.add(new Image(new byte[20], 1, 4, 5, 0));
        assertEquals(
                "inmemory.images[6] is 1 x 4 x 5, expected 3 x 4 x 5 like images[0]",
                message(() -> InMemoryDataset.of("x", mixed, 7)));
        List<Image> beyond = List.of(new Image(new byte[60], 3, 4, 5, 1), new Image(new byte[60], 3, 4, 5, 2));
        assertEquals(
                "inmemory.images[1].label must be in [0, 2), got 2", message(() -> InMemoryDataset.of("x", beyond, 2)));
        List<Image> partly = List.of(images.get(0), new Image(new byte[60], 3, 4, 5, -1));
        assertEquals(
                "inmemory.images[1].label must be in [0, 7), got -1",
                message(() -> InMemoryDataset.of("x", partly, 7)));
        assertEquals(
                "inmemory.images[0].label must be -1 (unlabeled) as classes is 0, got "
                        + images.get(0).label(),
                message(() -> InMemoryDataset.of("x", images, 0)));
        assertEquals(
                "inmemory.classes must be >= 0 (0: unlabeled), got -1",
                message(() -> InMemoryDataset.of("x", images, -1)));
        assertEquals(
                "inmemory.name must name the data for messages, got null",
                message(() -> InMemoryDataset.of(null, images, 7)));
    }

    @Test
    void uint8ArraysAreTakenAsTheyAre() {
        InMemoryDataset data = InMemoryDataset.fromArray("u8", uint8(images), labels(images), 7);
        assertEquals(DataFiles.info("u8", 6, 3, 4, 5, 7), data.info());
        assertEquals(images, DataFiles.readAll(data));
    }

    @Test
    void aPermutedViewIsReadByIndexNotByBuffer() {
        // Channels-last storage seen through permute: strides that are not C order.
        INDArray channelsLast = uint8(images).permute(0, 2, 3, 1).dup('c');
        INDArray view = channelsLast.permute(0, 3, 1, 2);
        InMemoryDataset data = InMemoryDataset.fromArray("view", view, null, 0);
        for (int i = 0; i < images.size(); i++) {
            assertArrayEquals(images.get(i).pixels(), data.get(i).pixels(), "image " + i);
            assertEquals(Image.UNLABELED, data.get(i).label());
        }
        INDArray lastTwo = uint8(images).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(4, 6));
        InMemoryDataset tail = InMemoryDataset.fromArray("tail", lastTwo, new int[] {5, 6}, 7);
        assertArrayEquals(images.get(5).pixels(), tail.get(1).pixels());
    }

    @Test
    void floatArraysAreQuantisedByRounding() {
        float[] values = new float[256 + 4];
        for (int k = 0; k < 256; k++) {
            values[k] = k / 255f;
        }
        values[256] = 0.002f; // 0.51 -> 1
        values[257] = 0.999f; // 254.7 -> 255
        values[258] = 0.001f; // 0.255 -> 0
        values[259] = 0.5f; // 127.5 -> 128, halves up
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray array = Nd4j.createFromArray(values).castTo(type).reshape(2, 1, 10, 13);
            InMemoryDataset data = InMemoryDataset.fromArray("f", array, new int[] {0, 1}, 2);
            byte[] all = new byte[260];
            System.arraycopy(data.get(0).pixels(), 0, all, 0, 130);
            System.arraycopy(data.get(1).pixels(), 0, all, 130, 130);
            for (int k = 0; k < 256; k++) {
                assertEquals(k, Byte.toUnsignedInt(all[k]), type + " " + k + "/255");
            }
            assertEquals(
                    List.of(1, 255, 0, 128),
                    List.of(
                            Byte.toUnsignedInt(all[256]),
                            Byte.toUnsignedInt(all[257]),
                            Byte.toUnsignedInt(all[258]),
                            Byte.toUnsignedInt(all[259])));
        }
    }

    @Test
    void aFloatOutsideZeroOneOrNaNNamesItsIndexAndValue() {
        INDArray array = Nd4j.zeros(DataType.FLOAT, 2, 3, 4, 5);
        array.putScalar(new long[] {1, 2, 0, 3}, 1.5f);
        array.putScalar(new long[] {1, 2, 3, 4}, -1f);
        assertEquals(
                "inmemory.images[1, 2, 0, 3] must be in [0, 1] (FLOAT images are quantised to" + " bytes), got 1.5",
                message(() -> InMemoryDataset.fromArray("f", array, null, 0)));
        INDArray nan = Nd4j.zeros(DataType.DOUBLE, 1, 1, 2, 2);
        nan.putScalar(new long[] {0, 0, 1, 0}, Double.NaN);
        assertEquals(
                "inmemory.images[0, 0, 1, 0] must be in [0, 1] (DOUBLE images are quantised to" + " bytes), got NaN",
                message(() -> InMemoryDataset.fromArray("f", nan, null, 0)));
    }

    @Test
    void fromArrayRefusesBadShapesTypesAndLabels() {
        INDArray u8 = uint8(images);
        assertEquals(
                "inmemory.images must be N x C x H x W (rank 4), got shape [6, 60]",
                message(() -> InMemoryDataset.fromArray("a", u8.reshape(6, 60), null, 0)));
        assertEquals(
                "inmemory.images shape[1] (channels) must be 1 or 3, got 4 (shape [6, 4, 5, 3];"
                        + " channels-last N x H x W x C arrays need permute(0, 3, 1, 2))",
                message(() -> InMemoryDataset.fromArray("a", u8.permute(0, 2, 3, 1), null, 0)));
        assertEquals(
                "inmemory.images data type must be UINT8 (0-255), or FLOAT or DOUBLE (in [0, 1])," + " got INT",
                message(() -> InMemoryDataset.fromArray("a", u8.castTo(DataType.INT32), null, 0)));
        assertEquals(
                "inmemory.labels must hold one label per image, 6, got 5",
                message(() -> InMemoryDataset.fromArray("a", u8, new int[5], 7)));
        assertEquals(
                "inmemory.labels[4] must be in [0, 7), got 7",
                message(() -> InMemoryDataset.fromArray("a", u8, new int[] {0, 1, 2, 3, 7, -1}, 7)));
        assertEquals(
                "inmemory.labels[1] must be in [0, 7), got -1",
                message(() -> InMemoryDataset.fromArray("a", u8, new int[] {0, -1, 2, 3, 7, 1}, 7)));
        assertEquals(
                "inmemory.classes must be 0 when labels is null (an unlabeled set), got 7",
                message(() -> InMemoryDataset.fromArray("a", u8, null, 7)));
        assertEquals(
                "inmemory.classes must be >= 1 when there are labels, got 0",
                message(() -> InMemoryDataset.fromArray("a", u8, labels(images), 0)));
    }

    private Path npy(String name, String descr, long[] shape, byte[] data) throws IOException {
        return DataFiles.write(dir.resolve(name), DataFiles.npy(descr, shape, data));
    }

    private static byte[] longs(ByteOrder order, long... values) {
        ByteBuffer out = ByteBuffer.allocate(8 * values.length).order(order);
        for (long value : values) {
            out.putLong(value);
        }
        return out.array();
    }

    @Test
    void uint8ImagesWithInt64LabelsInferTheClassCountAndSaySo() throws IOException {
        Path x = npy("x.npy", "|u1", new long[] {6, 3, 4, 5}, DataFiles.pixels(images));
        long[] values = java.util.Arrays.stream(labels(images)).asLongStream().toArray();
        Path y = npy("y.npy", "<i8", new long[] {6}, longs(ByteOrder.LITTLE_ENDIAN, values));
        int largest = java.util.Arrays.stream(labels(images)).max().getAsInt();
        try (LogLines log = new LogLines(InMemoryDataset.class)) {
            InMemoryDataset data = InMemoryDataset.fromNpy(x, y);
            assertEquals(DataFiles.info(x.toString(), 6, 3, 4, 5, largest + 1), data.info());
            assertEquals(images, DataFiles.readAll(data));
            long distinct = java.util.Arrays.stream(labels(images)).distinct().count();
            assertEquals(
                    List.of(y
                            + ": "
                            + (largest + 1)
                            + " classes inferred from the largest label, "
                            + largest
                            + " ("
                            + distinct
                            + " distinct labels occur)"),
                    log.info());
        }
    }

    @Test
    void float32ImagesOfRankThreeAreOneChannelAndLabelsMayBeAbsent() throws IOException {
        INDArray floats = Nd4j.createFromArray(new float[] {0f, 1f, 0.5f, 0.2f, 1 / 255f, 0.75f})
                .reshape(2, 1, 3);
        Path x = dir.resolve("gray.npy");
        Npy.write(x, floats);
        Path y = dir.resolve("labels.npy");
        Npy.writeInts(y, new int[] {1, 0});
        InMemoryDataset data = InMemoryDataset.fromNpy(x, y);
        assertEquals(DataFiles.info(x.toString(), 2, 1, 1, 3, 2), data.info());
        assertEquals(new Image(new byte[] {0, (byte) 255, (byte) 128}, 1, 1, 3, 1), data.get(0));
        assertEquals(new Image(new byte[] {51, 1, (byte) 191}, 1, 1, 3, 0), data.get(1));

        InMemoryDataset unlabeled = InMemoryDataset.fromNpy(x, null);
        assertFalse(unlabeled.info().labeled());
        assertEquals(Image.UNLABELED, unlabeled.get(1).label());
    }

    @Test
    void bigEndianFloat64ImagesAreRead() throws IOException {
        ByteBuffer values = ByteBuffer.allocate(8 * 12).order(ByteOrder.BIG_ENDIAN);
        for (int k = 0; k < 12; k++) {
            values.putDouble(k / 255.0);
        }
        Path x = npy("be.npy", ">f8", new long[] {4, 1, 1, 3}, values.array());
        InMemoryDataset data = InMemoryDataset.fromNpy(x, null);
        assertArrayEquals(new byte[] {9, 10, 11}, data.get(3).pixels());
    }

    @Test
    void aFloatPixelOutsideZeroOneNamesTheFileElementAndOffset() throws IOException {
        ByteBuffer values = ByteBuffer.allocate(4 * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < 8; k++) {
            values.putFloat(k == 6 ? 1.25f : 0.5f);
        }
        Path x = npy("over.npy", "<f4", new long[] {2, 2, 2}, values.array());
        assertEquals(
                x
                        + ": element [1, 1, 0] (offset "
                        + (128 + 6 * 4)
                        + "): expected a value in"
                        + " [0, 1] (float images are quantised to bytes), found 1.25",
                DataFiles.formatError(() -> InMemoryDataset.fromNpy(x, null)));
    }

    /** Opening {@code images} without labels fails with the file's name, ": " and {@code expected}. */
    private static void assertImagesRefused(Path images, String expected) {
        assertEquals(images + ": " + expected, formatMessage(images, null));
    }

    @Test
    void malformedImageFilesNameTheFileAndWhatWasExpected() throws IOException {
        assertImagesRefused(
                npy("rank.npy", "|u1", new long[] {6, 60}, new byte[360]),
                "header field 'shape': expected rank 4 (N x C x H x W) or 3 (N x H x W, one channel), found rank 2,"
                        + " shape (6, 60)");
        assertImagesRefused(
                npy("type.npy", "<i4", new long[] {2, 1, 2, 2}, new byte[32]),
                "header field 'descr' (dtype): expected uint8 ('|u1'), float32 ('<f4', '>f4') or float64 ('<f8',"
                        + " '>f8') images, found '<i4'");
        assertImagesRefused(
                npy("hwc.npy", "|u1", new long[] {2, 4, 4, 3}, new byte[96]),
                "header field 'shape' [1] (channels): expected 1 or 3 (N x C x H x W; save channels-last images as"
                        + " x.transpose(0, 3, 1, 2)), found 4, shape (2, 4, 4, 3)");

        Path truncated = npy("cut.npy", "|u1", new long[] {6, 3, 4, 5}, DataFiles.pixels(images));
        DataFiles.truncate(truncated, 128 + 300);
        assertImagesRefused(
                truncated,
                "file size: expected 488 bytes (128-byte header + 6 records x 60 bytes, as the header declares),"
                        + " found 428 bytes: the file is truncated");

        Path trailing = npy("long.npy", "|u1", new long[] {2, 1, 2, 2}, new byte[9]);
        assertTrue(formatMessage(trailing, null).endsWith("found 137 bytes: trailing data"));

        assertImagesRefused(
                DataFiles.write(dir.resolve("text.npy"), "images,labels\n1,2\n".getBytes()),
                "magic (offset 0): expected \\x93NUMPY, a .npy file, found bytes 69 6d 61 67 65 73");
        assertImagesRefused(
                DataFiles.write(
                        dir.resolve("header.npy"),
                        java.util.Arrays.copyOf(DataFiles.npy("|u1", new long[] {1, 1, 1, 1}, new byte[1]), 40)),
                "header (offset 0): expected 128 bytes of .npy header, found 40 bytes: the file is truncated");
    }

    @Test
    void malformedLabelFilesNameTheFileAndWhatWasExpected() throws IOException {
        Path x = npy("x.npy", "|u1", new long[] {6, 3, 4, 5}, DataFiles.pixels(images));

        Path count = dir.resolve("five.npy");
        Npy.writeInts(count, new int[] {0, 1, 2, 3, 4});
        assertEquals(
                count
                        + ": header field 'shape' (label count): expected 6 labels, one per image"
                        + " in "
                        + x
                        + ", found 5 labels",
                formatMessage(x, count));

        Path negative = dir.resolve("negative.npy");
        Npy.writeInts(negative, new int[] {0, 1, 2, -3, 4, 5});
        assertEquals(negative + ": element 3: expected a class index >= 0, found -3", formatMessage(x, negative));

        Path floats = dir.resolve("floats.npy");
        Npy.write(floats, Nd4j.zeros(DataType.FLOAT, 6));
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> InMemoryDataset.fromNpy(x, floats));
        assertEquals(floats, e.file());
        assertTrue(e.getMessage().contains("expected an integer dtype"), e.getMessage());

        Path rank = npy("rank2.npy", "<i4", new long[] {6, 1}, new byte[24]);
        e = assertThrows(NpyFormatException.class, () -> InMemoryDataset.fromNpy(x, rank));
        assertTrue(e.getMessage().contains("expected a 1-d array, found shape [6, 1]"), e.getMessage());

        Path cut = npy("cut-labels.npy", "<i4", new long[] {6}, new byte[24]);
        DataFiles.truncate(cut, Files.size(cut) - 4);
        e = assertThrows(NpyFormatException.class, () -> InMemoryDataset.fromNpy(x, cut));
        assertTrue(e.getMessage().contains("truncated data"), e.getMessage());
    }

    private static String formatMessage(Path images, Path labels) {
        return DataFiles.formatError(() -> InMemoryDataset.fromNpy(images, labels));
    }

    private static String message(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }
}

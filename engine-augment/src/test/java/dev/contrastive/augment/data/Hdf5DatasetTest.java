package dev.contrastive.augment.data;

import static org.bytedeco.hdf5.global.hdf5.H5D_CHUNKED;
import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_RDONLY;
import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_RDWR;
import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_TRUNC;
import static org.bytedeco.hdf5.global.hdf5.H5Z_FILTER_DEFLATE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.contrastive.augment.fixtures.TestDatasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.bytedeco.hdf5.DSetAccPropList;
import org.bytedeco.hdf5.DSetCreatPropList;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.LinkCreatPropList;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Hdf5DatasetTest {

    @TempDir
    Path dir;

    /** 10 images of 3 x 8 x 6 = 144 bytes per chunk; 73 images leave a partial last chunk. */
    private static final Hdf5WriteOptions SMALL_CHUNKS =
            Hdf5WriteOptions.defaults().withChunkBytes(10 * 144 + 100);

    private final List<Image> images = DataFiles.randomImages(7, 73, 3, 8, 6, 5);

    @Test
    void roundTripWithLabelsIsChunkedAndDeflated() throws IOException {
        Path file = dir.resolve("train.h5");
        Hdf5Writer.write(file, InMemoryDataset.of("list", images, 5), SMALL_CHUNKS);
        try (Hdf5Dataset data = Hdf5Dataset.open(file)) {
            assertEquals(DataFiles.info(file.toString(), 73, 3, 8, 6, 5), data.info());
            assertEquals(images, DataFiles.readAll(data));
            assertEquals(images.get(72), data.get(72));
        }
        StoredLayout images = storedLayout(file, "images");
        assertArrayEquals(new long[] {10, 3, 8, 6}, images.chunk);
        assertEquals(H5Z_FILTER_DEFLATE, images.filter);
        StoredLayout labels = storedLayout(file, "labels");
        assertArrayEquals(new long[] {Hdf5Writer.LABEL_CHUNK}, labels.chunk);
        assertEquals(H5Z_FILTER_DEFLATE, labels.filter);
    }

    @Test
    void roundTripWithoutLabels() throws IOException {
        List<Image> gray = DataFiles.randomImages(8, 30, 1, 28, 28, 0);
        Path file = dir.resolve("unlabeled.h5");
        Hdf5Writer.write(file, InMemoryDataset.of("list", gray, 0), Hdf5WriteOptions.defaults());
        try (Hdf5Dataset data = Hdf5Dataset.open(file)) {
            assertFalse(data.info().labeled());
            assertEquals(1, data.info().channels());
            assertEquals(gray, DataFiles.readAll(data));
        }
        assertEquals(-1, storedLayout(file, "labels").filter, "no labels dataset");
    }

    @Test
    void compressibleImagesTakeLessSpaceThanRaw() throws IOException {
        List<Image> flat = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            flat.add(new Image(new byte[3 * 32 * 32], 3, 32, 32, i % 10));
        }
        Path file = dir.resolve("flat.h5");
        Hdf5Writer.write(file, InMemoryDataset.of("list", flat, 10), Hdf5WriteOptions.defaults());
        assertTrue(Files.size(file) < 200 * 3072 / 10, "deflated size " + Files.size(file));
        try (Hdf5Dataset data = Hdf5Dataset.open(file)) {
            assertEquals(flat, DataFiles.readAll(data));
        }
    }

    @Test
    void nestedLayoutCreatesGroups() throws IOException {
        Hdf5Layout layout = new Hdf5Layout("train/x", "train/y");
        Path file = dir.resolve("nested.h5");
        Hdf5Writer.write(file, InMemoryDataset.of("list", images, 5), SMALL_CHUNKS.withLayout(layout));
        try (Hdf5Dataset data = Hdf5Dataset.open(file, layout)) {
            assertEquals(images, DataFiles.readAll(data));
        }
        assertEquals(
                file + ": dataset 'images': expected a uint8 N x C x H x W images dataset, found" + " no such dataset",
                openError(file));
    }

    @Test
    void concurrentReadsFromTwoThreadsStayCorrect() throws Exception {
        Path file = dir.resolve("shared.h5");
        Hdf5Writer.write(file, InMemoryDataset.of("list", images, 5), SMALL_CHUNKS);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Hdf5Dataset data = Hdf5Dataset.open(file)) {
            List<Future<Integer>> results = new ArrayList<>();
            results.add(pool.submit(() -> checkRandomAccess(data, 0)));
            results.add(pool.submit(() -> checkRandomAccess(data, 1)));
            results.add(pool.submit(() -> checkStream(data)));
            for (Future<Integer> result : results) {
                assertTrue(result.get() > 0);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private int checkRandomAccess(Hdf5Dataset data, int seed) {
        java.util.Random random = new java.util.Random(seed);
        int checked = 0;
        for (int round = 0; round < 5_000; round++) {
            int i = random.nextInt(images.size());
            assertEquals(images.get(i), data.get(i), "image " + i);
            checked++;
        }
        return checked;
    }

    private int checkStream(Hdf5Dataset data) {
        int checked = 0;
        for (int pass = 0; pass < 20; pass++) {
            Iterator<Image> it = data.stream();
            for (int i = 0; it.hasNext(); i++) {
                assertEquals(images.get(i), it.next(), "streamed image " + i);
                checked++;
            }
        }
        return checked;
    }

    @Test
    void closeWithoutCommitLeavesNothing() throws IOException {
        Path file = dir.resolve("aborted.h5");
        try (Hdf5Writer writer = Hdf5Writer.create(file, 3, 8, 6, true, SMALL_CHUNKS)) {
            for (Image image : images.subList(0, 25)) {
                writer.append(image);
            }
            assertEquals(25, writer.count());
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    void failedWriteLeavesTheOldTargetInPlace() throws IOException {
        Path file = dir.resolve("kept.h5");
        Hdf5Writer.write(file, InMemoryDataset.of("list", images, 5), SMALL_CHUNKS);
        byte[] before = Files.readAllBytes(file);
        Dataset badLast = TestDatasets.replacing(
                InMemoryDataset.of("list", images.subList(0, 4), 5),
                3,
                new Image(new byte[144], 3, 8, 6, Image.UNLABELED));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Hdf5Writer.write(file, badLast, SMALL_CHUNKS));
        assertEquals("image 3 has no label, but the file is labeled", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(file), left.toList());
        }
    }

    @Test
    void writerRejectsAnImageOfAnotherShape() throws IOException {
        try (Hdf5Writer writer = Hdf5Writer.create(dir.resolve("x.h5"), 3, 8, 6, false, SMALL_CHUNKS)) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> writer.append(new Image(new byte[64], 1, 8, 8, 0)));
            assertEquals("image 0 is 1 x 8 x 8, the file holds 3 x 8 x 6", e.getMessage());
        }
    }

    @Test
    void notAnHdf5FileNamesTheSignature() throws IOException {
        Path file = DataFiles.write(dir.resolve("fake.h5"), "hello, world".getBytes());
        assertEquals(
                file
                        + ": signature (offset 0): expected the HDF5 signature 89 48 44 46 0d 0a 1a"
                        + " 0a, found first bytes 68 65 6c 6c 6f 2c 20 77",
                openError(file));
    }

    @Test
    void truncatedFileIsReported() throws IOException {
        Path file = dir.resolve("cut.h5");
        Hdf5Writer.write(file, InMemoryDataset.of("list", images, 5), SMALL_CHUNKS);
        DataFiles.truncate(file, Files.size(file) / 2);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Hdf5Dataset.open(file));
        assertTrue(
                e.getMessage()
                        .startsWith(file
                                + ": file structure: expected an HDF5 file the"
                                + " library can open, found an error"),
                e.getMessage());
    }

    @Test
    void imagesOfWrongRankAreReported() throws IOException {
        Path file = dir.resolve("rank.h5");
        createDataset(file, "images", PredType.STD_U8LE(), 2, 4, 4);
        assertEquals(
                file + ": dataset 'images' rank: expected 4 (N x C x H x W), found 3 (shape" + " [2, 4, 4])",
                openError(file));
    }

    @Test
    void imagesOfWrongTypeAreReported() throws IOException {
        Path floats = dir.resolve("float.h5");
        createDataset(floats, "images", PredType.IEEE_F32LE(), 2, 1, 4, 4);
        assertEquals(
                floats + ": dataset 'images' type: expected unsigned 8-bit integer, found 32-bit" + " float",
                openError(floats));
        Path signed = dir.resolve("int8.h5");
        createDataset(signed, "images", PredType.STD_I8LE(), 2, 1, 4, 4);
        String message = openError(signed);
        assertTrue(message.endsWith("found signed 8-bit integer"), message);
    }

    @Test
    void twoChannelImagesAreReported() throws IOException {
        Path file = dir.resolve("two.h5");
        createDataset(file, "images", PredType.STD_U8LE(), 2, 2, 4, 4);
        assertEquals(file + ": dataset 'images' shape[1] (channels): expected 1 or 3, found 2", openError(file));
    }

    @Test
    void groupInPlaceOfTheImagesDatasetIsReported() throws IOException {
        Path file = dir.resolve("group.h5");
        createDataset(file, "images/inner", PredType.STD_U8LE(), 2, 1, 4, 4);
        String message = openError(file);
        assertTrue(message.endsWith("found a group or other object, not a dataset"), message);
    }

    /** Labels datasets beside two 1 x 4 x 4 images that open refuses, and what it says after the file. */
    static Stream<Arguments> malformedLabels() {
        return Stream.of(
                arguments(
                        "labels-rank.h5",
                        PredType.STD_I32LE(),
                        new long[] {2, 1},
                        "dataset 'labels' rank: expected 1 (N labels), found 2 (shape [2, 1])"),
                arguments(
                        "labels-type.h5",
                        PredType.IEEE_F64LE(),
                        new long[] {2},
                        "dataset 'labels' type: expected an integer type, found 64-bit float"),
                arguments(
                        "labels-length.h5",
                        PredType.STD_I64LE(),
                        new long[] {3},
                        "dataset 'labels' length: expected 2 labels, one per image, found 3 labels"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedLabels")
    void labelsOfWrongRankTypeOrLengthAreReported(String name, PredType type, long[] dims, String expected)
            throws IOException {
        Path file = dir.resolve(name);
        createDataset(file, "images", PredType.STD_U8LE(), 2, 1, 4, 4);
        createDataset(file, "labels", type, dims);
        assertEquals(file + ": " + expected, openError(file));
    }

    @Test
    void int64AndUint8LabelsAreRead() throws IOException {
        Path file = dir.resolve("u8-labels.h5");
        createDataset(file, "images", PredType.STD_U8LE(), 3, 1, 4, 4);
        createDataset(file, "labels", PredType.STD_U8LE(), 3);
        try (Hdf5Dataset data = Hdf5Dataset.open(file)) {
            assertEquals(1, data.info().classes(), "all labels are 0");
            assertEquals(new Image(new byte[16], 1, 4, 4, 0), data.get(2));
        }
    }

    @Test
    void theClassCountIsInferredFromTheLargestLabelAndSaid() throws IOException {
        Path file = dir.resolve("stray.h5");
        createDataset(file, "images", PredType.STD_U8LE(), 4, 1, 2, 2);
        createLabels(file, 0, 3, 77, 3);
        try (LogLines log = new LogLines(Hdf5Dataset.class);
                Hdf5Dataset data = Hdf5Dataset.open(file)) {
            assertEquals(78, data.info().classes());
            assertEquals(77, data.get(2).label());
            assertEquals(
                    List.of(file
                            + " dataset 'labels': 78 classes inferred from the largest label,"
                            + " 77 (3 distinct labels occur)"),
                    log.info());
        }
    }

    @Test
    void aNegativeLabelIsReportedWithItsElement() throws IOException {
        Path file = dir.resolve("negative.h5");
        createDataset(file, "images", PredType.STD_U8LE(), 3, 1, 2, 2);
        createLabels(file, 0, -2, 1);
        assertEquals(
                file + ": dataset 'labels' element 1: expected a class index in [0, 2147483647)," + " found -2",
                openError(file));
    }

    @Test
    void missingFileIsAnIoError() {
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Hdf5Dataset.open(dir.resolve("absent.h5")));
    }

    @Test
    void layoutAndOptionsAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Hdf5Layout("x", "x"));
        assertEquals("hdf5.images and hdf5.labels must differ, both are 'x'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Hdf5Layout("/images", "labels"));
        assertEquals(
                "hdf5.images must be a relative dataset path like 'images' or 'train/images'," + " got '/images'",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Hdf5WriteOptions.defaults().withDeflateLevel(10));
        assertEquals("hdf5.deflateLevel must be in [0, 9], got 10", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Hdf5WriteOptions.defaults().withChunkBytes(0));
        assertEquals("hdf5.chunkBytes must be in [1, 1073741824], got 0", e.getMessage());
    }

    /** The message of the {@link DatasetFormatException} opening {@code file} must throw. */
    private static String openError(Path file) {
        return DataFiles.formatError(() -> Hdf5Dataset.open(file));
    }

    /** A zero-filled dataset of {@code dims}, added to {@code file} (created if absent). */
    private static void createDataset(Path file, String name, PredType type, long... dims) throws IOException {
        Hdf5.locked(() -> {
            boolean exists = Files.exists(file);
            try (H5File h5 = new H5File(file.toString(), exists ? H5F_ACC_RDWR : H5F_ACC_TRUNC);
                    DataSpace space = new DataSpace(dims.length, dims)) {
                if (name.contains("/")) {
                    h5.createGroup(name.substring(0, name.lastIndexOf('/'))).close();
                }
                h5.createDataSet(
                                name,
                                type,
                                space,
                                DSetCreatPropList.DEFAULT(),
                                DSetAccPropList.DEFAULT(),
                                LinkCreatPropList.DEFAULT())
                        .close();
            }
            return null;
        });
    }

    /** An int64 "labels" dataset holding {@code values}, added to {@code file}. */
    private static void createLabels(Path file, long... values) throws IOException {
        Hdf5.locked(() -> {
            try (H5File h5 = new H5File(file.toString(), H5F_ACC_RDWR);
                    DataSpace space = new DataSpace(1, new long[] {values.length});
                    DataSet labels = h5.createDataSet(
                            "labels",
                            PredType.STD_I64LE(),
                            space,
                            DSetCreatPropList.DEFAULT(),
                            DSetAccPropList.DEFAULT(),
                            LinkCreatPropList.DEFAULT());
                    LongPointer buffer = new LongPointer(values)) {
                labels.write(buffer, PredType.NATIVE_INT64());
            }
            return null;
        });
    }

    private record StoredLayout(long[] chunk, int filter) {}

    /** The chunk shape and first filter of dataset {@code name}; filter -1 if there is none. */
    private static StoredLayout storedLayout(Path file, String name) throws IOException {
        return Hdf5.locked(() -> {
            try (H5File h5 = new H5File(file.toString(), H5F_ACC_RDONLY)) {
                if (!h5.nameExists(name)) {
                    return new StoredLayout(new long[0], -1);
                }
                try (DataSet dataset = h5.openDataSet(name);
                        DSetCreatPropList plist = dataset.getCreatePlist();
                        SizeTPointer valueCount = new SizeTPointer(1).put(8)) {
                    assertEquals(H5D_CHUNKED, plist.getLayout());
                    long[] chunk = new long[Hdf5.dims(dataset).length];
                    plist.getChunk(chunk.length, chunk);
                    assertEquals(1, plist.getNfilters());
                    int filter = plist.getFilter(0, new int[1], valueCount, new int[8], 64, new byte[64], new int[1]);
                    return new StoredLayout(chunk, filter);
                }
            }
        });
    }
}

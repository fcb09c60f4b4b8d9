package dev.contrastive.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NpyTest {

    @TempDir
    Path dir;

    static Stream<Arguments> shapesAndTypes() {
        List<long[]> shapes =
                List.of(new long[0], new long[] {5}, new long[] {2, 3}, new long[] {2, 3, 4, 5}, new long[] {0, 3});
        return Stream.of(DataType.FLOAT, DataType.DOUBLE)
                .flatMap(type -> shapes.stream().map(shape -> Arguments.of(type, shape)));
    }

    @ParameterizedTest
    @MethodSource("shapesAndTypes")
    void roundTripKeepsTypeShapeAndValues(DataType type, long[] shape) throws IOException {
        INDArray original = randomArray(type, shape);
        Path file = dir.resolve("x.npy");

        Npy.write(file, original);
        INDArray read = Npy.readArray(file);

        assertEquals(type, read.dataType());
        assertArrayEquals(shape, read.shape());
        assertEquals(original, read);
    }

    @Test
    void writesViewsAndFortranOrderArraysInCOrder() throws IOException {
        INDArray base = Nd4j.arange(24).castTo(DataType.FLOAT).reshape('c', 4, 6);
        INDArray column = base.getColumn(2);
        INDArray transposed = base.transpose();
        INDArray block = base.get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 5));
        INDArray fortran = base.dup('f');

        for (INDArray view : List.of(column, transposed, block, fortran)) {
            Path file = dir.resolve("view.npy");
            Npy.write(file, view);
            INDArray read = Npy.readArray(file);
            assertArrayEquals(view.shape(), read.shape());
            assertArrayEquals(view.dup('c').data().asFloat(), read.data().asFloat());
        }
    }

    @Test
    void writesTheSameBytesAsNumpy() throws Exception {
        INDArray grid = Nd4j.create(new float[] {-1f, -0.5f, 0f, 0.5f, 1f, 1.5f}, new long[] {2, 3}, DataType.FLOAT);
        INDArray scalar = Nd4j.create(new float[] {-2.25f}, new long[0], DataType.FLOAT);
        INDArray vector = Nd4j.create(new double[] {-1, -0.5, 0, 0.5, 1}, new long[] {5}, DataType.DOUBLE);

        Npy.write(dir.resolve("grid.npy"), grid);
        Npy.write(dir.resolve("scalar.npy"), scalar);
        Npy.write(dir.resolve("vector.npy"), vector);

        assertArrayEquals(Files.readAllBytes(fixture("f4_2x3.npy")), Files.readAllBytes(dir.resolve("grid.npy")));
        assertArrayEquals(Files.readAllBytes(fixture("f4_scalar.npy")), Files.readAllBytes(dir.resolve("scalar.npy")));
        assertArrayEquals(Files.readAllBytes(fixture("f8_vec5.npy")), Files.readAllBytes(dir.resolve("vector.npy")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"f4_2x3.npy", "f4be_2x3.npy", "f8_2x3.npy", "f8be_2x3.npy", "f8_v2_2x3.npy"})
    void readsNumpyMatricesOfEveryFloatTypeAndByteOrder(String name) throws Exception {
        INDArray read = Npy.readArray(fixture(name));

        assertEquals(name.startsWith("f4") ? DataType.FLOAT : DataType.DOUBLE, read.dataType());
        assertArrayEquals(new long[] {2, 3}, read.shape());
        assertArrayEquals(grid(6, -1.0, 0.5), read.dup('c').data().asDouble());
    }

    @Test
    void readsNumpyScalarsVectorsFourDimensionalAndEmptyArrays() throws Exception {
        INDArray scalar = Npy.readArray(fixture("f4_scalar.npy"));
        INDArray vector = Npy.readArray(fixture("f8_vec5.npy"));
        INDArray fourD = Npy.readArray(fixture("f4_2x3x2x2.npy"));
        INDArray empty = Npy.readArray(fixture("f4_0x3.npy"));

        assertEquals(0, scalar.rank());
        assertEquals(-2.25, scalar.getDouble(0));
        assertArrayEquals(new long[] {5}, vector.shape());
        assertArrayEquals(grid(5, -1.0, 0.5), vector.data().asDouble());
        assertArrayEquals(new long[] {2, 3, 2, 2}, fourD.shape());
        assertArrayEquals(grid(24, -3.0, 0.25), fourD.data().asDouble());
        assertEquals(-3.0 + 0.25 * (1 * 12 + 2 * 4 + 1 * 2 + 1), fourD.getDouble(1, 2, 1, 1));
        assertArrayEquals(new long[] {0, 3}, empty.shape());
    }

    @ParameterizedTest
    @ValueSource(strings = {"i4_vec.npy", "i4be_vec.npy", "i8_vec.npy"})
    void readsNumpyIntVectors(String name) throws Exception {
        assertArrayEquals(new int[] {-3, 0, 7, Integer.MAX_VALUE, Integer.MIN_VALUE}, Npy.readIntVector(fixture(name)));
    }

    @Test
    void readsNumpyUnsignedBytes() throws Exception {
        assertArrayEquals(new int[] {0, 1, 255}, Npy.readIntVector(fixture("u1_vec.npy")));
    }

    @Test
    void intVectorsRoundTrip() throws IOException {
        int[] values = {Integer.MIN_VALUE, -1, 0, 1, 48, Integer.MAX_VALUE};
        Path file = dir.resolve("idx.npy");

        Npy.writeInts(file, values);
        Npy.writeInts(dir.resolve("none.npy"), new int[0]);

        assertArrayEquals(values, Npy.readIntVector(file));
        assertArrayEquals(new int[0], Npy.readIntVector(dir.resolve("none.npy")));
    }

    @Test
    void overwritesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("x.npy");
        Npy.write(file, Nd4j.ones(DataType.FLOAT, 3));
        Npy.write(file, Nd4j.zeros(DataType.DOUBLE, 2, 2));

        assertEquals(Nd4j.zeros(DataType.DOUBLE, 2, 2), Npy.readArray(file));
        assertEquals(List.of(file), listDir());
    }

    @Test
    void failedWriteLeavesNothingBehind() throws IOException {
        Path occupied = Files.createDirectory(dir.resolve("occupied.npy"));
        Files.writeString(occupied.resolve("keep"), "x");

        assertThrows(IOException.class, () -> Npy.write(occupied, Nd4j.ones(DataType.FLOAT, 3)));
        IllegalArgumentException intArray = assertThrows(
                IllegalArgumentException.class, () -> Npy.write(dir.resolve("ints.npy"), Nd4j.ones(DataType.INT32, 3)));

        assertTrue(intArray.getMessage().contains("ints.npy"), intArray.getMessage());
        assertTrue(intArray.getMessage().contains("expected FLOAT or DOUBLE"), intArray.getMessage());
        assertEquals(List.of(occupied), listDir());
    }

    @Test
    void rejectsWrongMagic() throws IOException {
        Path zip = write("archive.npy", "PK\u0003\u0004rest of an npz".getBytes(StandardCharsets.ISO_8859_1));
        Path empty = write("empty.npy", new byte[0]);

        assertFormatError(zip, "archive.npy", "wrong magic at byte 0", "expected \\x93NUMPY", "found 'PK\\x03\\x04re'");
        assertFormatError(empty, "empty.npy", "wrong magic at byte 0", "only 0 bytes");
    }

    @Test
    void rejectsUnsupportedVersions() throws Exception {
        byte[] bytes = Files.readAllBytes(fixture("f4_2x3.npy"));
        bytes[7] = 1;
        Path minor = write("v11.npy", bytes);

        assertFormatError(
                fixture("f4_v3_2x3.npy"),
                "f4_v3_2x3.npy",
                "unsupported format version 3.0 at byte 6",
                "expected 1.0 or 2.0");
        assertFormatError(minor, "v11.npy", "unsupported format version 1.1 at byte 6");
    }

    static Stream<Arguments> badHeaderDicts() {
        return Stream.of(
                Arguments.of("['descr', '<f4']", "expected '{', found '['"),
                Arguments.of("{'descr': '<f4', 'fortran_order': False}", "missing key 'shape'"),
                Arguments.of("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", "unexpected key 'x'"),
                Arguments.of(
                        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}",
                        "expected each key once, found 'descr' again"),
                Arguments.of("{'descr' '<f4', 'fortran_order': False, 'shape': (2, 3)}", "expected ':', found '''"),
                Arguments.of(
                        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} junk",
                        "expected only spaces and a newline after '}', found 'j'"),
                Arguments.of(
                        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)",
                        "expected ',' or '}', found the end of the header"),
                Arguments.of(
                        "{'descr': '<f4', 'fortran_order': 0, 'shape': (6,)}",
                        "header field 'fortran_order': expected True or False, found 0"),
                Arguments.of(
                        "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}",
                        "header field 'shape': expected a tuple of non-negative integers, found [2, 3]"),
                Arguments.of(
                        "{'descr': '<f4', 'fortran_order': False, 'shape': (6)}",
                        "header field 'shape': expected a tuple of non-negative integers, found 6"),
                Arguments.of("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}", "found (2, -3)"),
                Arguments.of(
                        "{'descr': '<f4', 'fortran_order': Flase, 'shape': (6,)}",
                        "expected a string, integer, True, False, None, tuple or list, found 'F'"),
                Arguments.of(
                        "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
                        "expected an integer that fits in 64 bits"));
    }

    @ParameterizedTest
    @MethodSource("badHeaderDicts")
    void rejectsBadHeaderDicts(String dict, String expected) throws IOException {
        Path file = write("bad.npy", npyBytes(dict, 24));

        assertFormatError(file, "bad.npy", expected);
    }

    @Test
    void reportsTheFileOffsetOfHeaderSyntaxErrors() throws IOException {
        Path file = write("bad.npy", npyBytes("{'descr' '<f4'}", 0));

        assertFormatError(file, "bad header dict at byte " + (10 + "{'descr' ".length()));
    }

    @Test
    void rejectsNonAsciiHeaders() throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (\u00e9,)}";

        assertFormatError(
                write("latin.npy", npyBytes(dict, 0)),
                "bad header dict: byte " + (10 + dict.indexOf('\u00e9')) + " is not ASCII (0xe9)");
    }

    @Test
    void rejectsUnsupportedDtypes() throws Exception {
        Path half = write("half.npy", npyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (2,)}", 4));
        Path nativeOrder = write("native.npy", npyBytes("{'descr': '=f4', 'fortran_order': False, 'shape': (2,)}", 8));

        assertFormatError(
                fixture("c8_2x2.npy"),
                "c8_2x2.npy",
                "header field 'descr': unsupported dtype '<c8'",
                "expected one of '<f4'");
        assertFormatError(
                fixture("structured_2.npy"), "header field 'descr': unsupported dtype [('x', '<f4'), ('y', '<i4')]");
        assertFormatError(half, "unsupported dtype '<f2'");
        assertFormatError(nativeOrder, "unsupported dtype '=f4'");
    }

    @Test
    void rejectsFortranOrder() throws Exception {
        assertFormatError(
                fixture("f4_fortran_2x3.npy"),
                "f4_fortran_2x3.npy",
                "header field 'fortran_order': expected False (C order), found True");
    }

    @Test
    void rejectsTruncatedData() throws Exception {
        byte[] bytes = Files.readAllBytes(fixture("f4_2x3.npy"));
        Path file = write("short.npy", Arrays.copyOf(bytes, bytes.length - 4));

        assertFormatError(file, "short.npy", "truncated data: expected 24 bytes of data after byte 128", "found 20");
    }

    @Test
    void rejectsTruncatedHeaders() throws Exception {
        byte[] bytes = Files.readAllBytes(fixture("f4_2x3.npy"));

        assertFormatError(
                write("cut.npy", Arrays.copyOf(bytes, 50)),
                "truncated header: expected 118 bytes of header after byte 10, found 40");
        assertFormatError(
                write("cut9.npy", Arrays.copyOf(bytes, 9)),
                "truncated preamble: expected a 2-byte header length at byte 8, file has 9 bytes");
    }

    @Test
    void rejectsTrailingGarbage() throws Exception {
        byte[] bytes = Files.readAllBytes(fixture("f4_2x3.npy"));
        Path file = write("long.npy", Arrays.copyOf(bytes, bytes.length + 3));

        assertFormatError(file, "long.npy", "trailing garbage: expected 24 bytes of data after byte 128", "found 27");
    }

    @Test
    void rejectsTheWrongKindOfArray() throws Exception {
        NpyFormatException intsAsArray =
                assertThrows(NpyFormatException.class, () -> Npy.readArray(fixture("i4_vec.npy")));
        NpyFormatException floatsAsInts =
                assertThrows(NpyFormatException.class, () -> Npy.readIntVector(fixture("f8_vec5.npy")));
        NpyFormatException matrixAsInts =
                assertThrows(NpyFormatException.class, () -> Npy.readIntVector(fixture("i4_2x2.npy")));
        NpyFormatException tooBig =
                assertThrows(NpyFormatException.class, () -> Npy.readIntVector(fixture("i8_too_big.npy")));

        assertTrue(intsAsArray.getMessage().contains("expected a float dtype"), intsAsArray.getMessage());
        assertTrue(floatsAsInts.getMessage().contains("expected an integer dtype"), floatsAsInts.getMessage());
        assertTrue(
                matrixAsInts.getMessage().contains("expected a 1-d array, found shape [2, 2]"),
                matrixAsInts.getMessage());
        assertTrue(tooBig.getMessage().contains("element 1 (byte 136) is 2147483648"), tooBig.getMessage());
    }

    private static INDArray randomArray(DataType type, long[] shape) {
        int count = (int) Arrays.stream(shape).reduce(1, Math::multiplyExact);
        double[] values = new Random(42).doubles(count, -500, 500).toArray();
        if (type == DataType.DOUBLE) {
            return Nd4j.create(values, shape, type);
        }
        float[] floats = new float[count];
        for (int i = 0; i < count; i++) {
            floats[i] = (float) values[i];
        }
        return Nd4j.create(floats, shape, type);
    }

    private static double[] grid(int count, double start, double step) {
        double[] values = new double[count];
        for (int k = 0; k < count; k++) {
            values[k] = start + step * k;
        }
        return values;
    }

    /**
     * A version 1.0 file with the given header dict (padded as NumPy does) and {@code dataBytes}
     * zeros.
     */
    private static byte[] npyBytes(String dict, int dataBytes) {
        byte[] text = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(10 + text.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        out.put(NpyHeader.MAGIC)
                .put((byte) 1)
                .put((byte) 0)
                .putShort((short) text.length)
                .put(text);
        return out.array();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(NpyTest.class.getResource("/npy/" + name).toURI());
    }

    private static void assertFormatError(Path file, String... fragments) {
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.readArray(file));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "'" + fragment + "' not in: " + e.getMessage());
        }
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}

package dev.contrastive.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes NumPy {@code .npy} files.
 *
 * <p>Reads format versions 1.0 and 2.0 in C order, little- or big-endian: {@code f4}, {@code f8} as
 * arrays, {@code i4}, {@code i8}, {@code u1} as int vectors. Writes format version 1.0,
 * little-endian, byte for byte as NumPy 2.x does. Every malformed file fails with one {@link
 * NpyFormatException} naming the file, the field or byte offset, and what was expected; files that
 * cannot be opened fail with an {@link IOException}.
 */
public final class Npy {

    private Npy() {}

    /**
     * Reads a float32 or float64 array (any rank, including 0-d) into an INDArray of the same data
     * type and shape.
     */
    public static INDArray readArray(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            NpyHeader header = NpyHeader.read(file, channel);
            NpyDtype.Kind kind = header.dtype().kind();
            if (!kind.isFloat()) {
                throw new NpyFormatException(
                        file,
                        "header field 'descr': expected a float dtype ('<f4', '>f4', '<f8', '>f8'), found '"
                                + header.dtype().descr()
                                + "' (integer files are read with readIntVector)");
            }
            ByteBuffer data = readData(file, channel, header);
            int count = (int) header.elementCount();
            if (kind == NpyDtype.Kind.FLOAT32) {
                float[] values = new float[count];
                data.asFloatBuffer().get(values);
                return Nd4j.create(values, header.shape(), DataType.FLOAT);
            }
            double[] values = new double[count];
            data.asDoubleBuffer().get(values);
            return Nd4j.create(values, header.shape(), DataType.DOUBLE);
        }
    }

    /** Reads a 1-d int32, int64 or uint8 array; int64 values must fit in an int. */
    public static int[] readIntVector(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            NpyHeader header = NpyHeader.read(file, channel);
            NpyDtype.Kind kind = header.dtype().kind();
            if (kind.isFloat()) {
                throw new NpyFormatException(
                        file,
                        "header field 'descr': expected an integer dtype ('<i4', '>i4', '<i8', '>i8',"
                                + " '|u1'), found '"
                                + header.dtype().descr()
                                + "'");
            }
            if (header.shape().length != 1) {
                throw new NpyFormatException(
                        file,
                        "header field 'shape': expected a 1-d array, found shape " + Arrays.toString(header.shape()));
            }
            ByteBuffer data = readData(file, channel, header);
            int[] values = new int[(int) header.elementCount()];
            switch (kind) {
                case INT32 -> data.asIntBuffer().get(values);
                case UINT8 -> {
                    for (int i = 0; i < values.length; i++) {
                        values[i] = Byte.toUnsignedInt(data.get(i));
                    }
                }
                default -> {
                    for (int i = 0; i < values.length; i++) {
                        long value = data.getLong(i * Long.BYTES);
                        if (value != (int) value) {
                            throw new NpyFormatException(
                                    file,
                                    "element "
                                            + i
                                            + " (byte "
                                            + (header.dataOffset() + (long) i * Long.BYTES)
                                            + ") is "
                                            + value
                                            + ", expected a value in the int range ["
                                            + Integer.MIN_VALUE
                                            + ", "
                                            + Integer.MAX_VALUE
                                            + "]");
                        }
                        values[i] = (int) value;
                    }
                }
            }
            return values;
        }
    }

    /**
     * Writes a FLOAT or DOUBLE array in C order (also when {@code array} is a view or in 'f' order).
     * The file appears complete or not at all ({@link AtomicFiles}).
     */
    public static void write(Path file, INDArray array) throws IOException {
        DataType type = array.dataType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("cannot write "
                    + file
                    + ": array has data type "
                    + type
                    + " and shape "
                    + Arrays.toString(array.shape())
                    + ", expected FLOAT or DOUBLE");
        }
        boolean isFloat = type == DataType.FLOAT;
        NpyDtype dtype = new NpyDtype(isFloat ? NpyDtype.Kind.FLOAT32 : NpyDtype.Kind.FLOAT64, ByteOrder.LITTLE_ENDIAN);
        long count = array.length();
        if (count * dtype.kind().itemSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cannot write "
                    + file
                    + ": array of shape "
                    + Arrays.toString(array.shape())
                    + " exceeds the 2 GiB this writer supports");
        }
        ByteBuffer data =
                ByteBuffer.allocate((int) count * dtype.kind().itemSize).order(ByteOrder.LITTLE_ENDIAN);
        if (count > 0) {
            // A view's buffer also holds elements outside the view, so always copy into a fresh C-order
            // one.
            try (INDArray contiguous = array.dup('c')) {
                if (isFloat) {
                    data.asFloatBuffer().put(contiguous.data().asFloat());
                } else {
                    data.asDoubleBuffer().put(contiguous.data().asDouble());
                }
            }
        }
        writeAtomically(file, NpyHeader.encodeVersion1(dtype, array.shape()), data);
    }

    /** Writes a 1-d int32 array. */
    public static void writeInts(Path file, int[] values) throws IOException {
        NpyDtype dtype = new NpyDtype(NpyDtype.Kind.INT32, ByteOrder.LITTLE_ENDIAN);
        ByteBuffer data = ByteBuffer.allocate(values.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        data.asIntBuffer().put(values);
        writeAtomically(file, NpyHeader.encodeVersion1(dtype, new long[] {values.length}), data);
    }

    private static ByteBuffer readData(Path file, FileChannel channel, NpyHeader header) throws IOException {
        long expected = header.dataBytes();
        long found = channel.size() - header.dataOffset();
        if (found != expected) {
            throw new NpyFormatException(
                    file,
                    (found < expected ? "truncated data" : "trailing garbage")
                            + ": expected "
                            + expected
                            + " bytes of data after byte "
                            + header.dataOffset()
                            + " for shape "
                            + Arrays.toString(header.shape())
                            + " of '"
                            + header.dtype().descr()
                            + "', found "
                            + found);
        }
        return NpyHeader.readAt(channel, header.dataOffset(), (int) expected)
                .order(header.dtype().byteOrder());
    }

    /** The header, then the data: through {@link AtomicFiles}, so a failed write changes nothing. */
    private static void writeAtomically(Path file, byte[] header, ByteBuffer data) throws IOException {
        AtomicFiles.write(file, out -> {
            out.write(header);
            out.write(data.array(), data.arrayOffset(), data.limit());
        });
    }
}

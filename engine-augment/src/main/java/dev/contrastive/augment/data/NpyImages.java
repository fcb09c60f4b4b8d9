package dev.contrastive.augment.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The images array of a NumPy {@code .npy} file (format 1.0 or 2.0, C order), read a block of whole
 * images at a time: {@code |u1} bytes as they are; {@code <f4}, {@code >f4}, {@code <f8}, {@code
 * >f8} values in [0, 1] quantised as {@link InMemoryDataset#fromArray} does. Shape N x C x H x W
 * with C 1 or 3, or N x H x W for one channel.
 *
 * <p>Why not {@link dev.contrastive.core.io.Npy}: it reads integer files only as 1-d vectors and a
 * float file only whole, as one INDArray (several copies of the set at once), and its header parser
 * is not public. This reads just the header fields it needs, as NumPy writes them.
 *
 * <p>Every problem is one {@link DatasetFormatException} naming the file: magic, version, header
 * dict, dtype, order, rank, channels, the file size against the shape (truncated or trailing data),
 * and the first float pixel outside [0, 1] or NaN with its index.
 */
final class NpyImages {

    /** The images, one C x H x W byte array each. */
    record Pixels(byte[][] images, int channels, int height, int width) {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** Real headers are about 128 bytes; this bounds what a damaged length field makes us read. */
    private static final int MAX_HEADER_BYTES = 1 << 20;

    private static final int BLOCK_BYTES = 1 << 20;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^()]*)\\)");
    private static final String DTYPES = "uint8 ('|u1'), float32 ('<f4', '>f4') or float64 ('<f8', '>f8') images";

    private NpyImages() {}

    static Pixels read(Path file) throws IOException {
        String source = file.toString();
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        Header header;
        RecordFile records;
        try {
            header = header(source, channel);
            int count = RecordDataset.checkedSize(source, header.shape[0]);
            records = RecordFile.declared(
                    source, channel, header.dataOffset, header.imageSize() * header.itemSize, count);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        long[] shape = header.shape;
        int imageSize = header.imageSize();
        try (RecordFile data = records) {
            byte[][] images = new byte[(int) data.records()][];
            int perBlock = Math.max(1, BLOCK_BYTES / data.recordBytes());
            byte[] block = new byte[Math.min(perBlock, Math.max(1, images.length)) * data.recordBytes()];
            ByteBuffer values = ByteBuffer.wrap(block).order(header.order);
            for (int first = 0; first < images.length; first += perBlock) {
                int count = Math.min(perBlock, images.length - first);
                data.read(first, count, block);
                for (int k = 0; k < count; k++) {
                    int offset = k * data.recordBytes();
                    if (header.itemSize == 1) {
                        images[first + k] = Arrays.copyOfRange(block, offset, offset + imageSize);
                        continue;
                    }
                    byte[] image = new byte[imageSize];
                    for (int e = 0; e < imageSize; e++) {
                        int at = offset + e * header.itemSize;
                        double value = header.itemSize == 4 ? values.getFloat(at) : values.getDouble(at);
                        if (!InMemoryDataset.inUnitRange(value)) {
                            long element = (long) (first + k) * imageSize + e;
                            throw new DatasetFormatException(
                                    source,
                                    "element "
                                            + InMemoryDataset.index(element, shape)
                                            + " (offset "
                                            + (header.dataOffset + element * header.itemSize)
                                            + ")",
                                    "a value in [0, 1] (float images are quantised to bytes)",
                                    header.itemSize == 4 ? Float.toString((float) value) : Double.toString(value));
                        }
                        image[e] = InMemoryDataset.quantise(value);
                    }
                    images[first + k] = image;
                }
            }
            return new Pixels(images, header.channels(), header.height(), header.width());
        }
    }

    /** What the header says; {@code shape} is checked: rank 3 or 4, C 1 or 3, images below 2 GiB. */
    private record Header(int itemSize, ByteOrder order, long[] shape, long dataOffset) {

        int channels() {
            return shape.length == 4 ? (int) shape[1] : 1;
        }

        int height() {
            return (int) shape[shape.length - 2];
        }

        int width() {
            return (int) shape[shape.length - 1];
        }

        int imageSize() {
            return channels() * height() * width();
        }
    }

    private static Header header(String source, FileChannel channel) throws IOException {
        ByteBuffer preamble = RecordFile.header(source, channel, 10, ".npy preamble");
        byte[] magic = new byte[MAGIC.length];
        preamble.get(0, magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new DatasetFormatException(
                    source,
                    "magic (offset 0)",
                    "\\x93NUMPY, a .npy file",
                    "bytes " + HexFormat.ofDelimiter(" ").formatHex(magic));
        }
        int major = Byte.toUnsignedInt(preamble.get(6));
        int minor = Byte.toUnsignedInt(preamble.get(7));
        if ((major != 1 && major != 2) || minor != 0) {
            throw new DatasetFormatException(source, "format version (offset 6)", "1.0 or 2.0", major + "." + minor);
        }
        int start = major == 1 ? 10 : 12;
        ByteBuffer lengthField =
                RecordFile.header(source, channel, start, ".npy preamble").order(ByteOrder.LITTLE_ENDIAN);
        long length = major == 1
                ? Short.toUnsignedInt(lengthField.getShort(8))
                : Integer.toUnsignedLong(lengthField.getInt(8));
        if (length > MAX_HEADER_BYTES) {
            throw new DatasetFormatException(
                    source, "header length (offset 8)", "at most " + MAX_HEADER_BYTES + " bytes", length + " bytes");
        }
        ByteBuffer all = RecordFile.header(source, channel, start + (int) length, ".npy header");
        byte[] bytes = new byte[(int) length];
        all.get(start, bytes);
        String dict = new String(bytes, StandardCharsets.US_ASCII).strip();
        Matcher descr = DESCR.matcher(dict);
        Matcher fortran = FORTRAN.matcher(dict);
        Matcher shape = SHAPE.matcher(dict);
        if (!descr.find() || !fortran.find() || !shape.find()) {
            throw new DatasetFormatException(
                    source,
                    "header dict (offset " + start + ")",
                    "'descr', 'fortran_order' and 'shape' as NumPy writes them",
                    dict);
        }
        int itemSize;
        ByteOrder order = descr.group(1).startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        switch (descr.group(1)) {
            case "|u1", "<u1", ">u1" -> itemSize = 1;
            case "<f4", ">f4" -> itemSize = 4;
            case "<f8", ">f8" -> itemSize = 8;
            default ->
                throw new DatasetFormatException(
                        source, "header field 'descr' (dtype)", DTYPES, "'" + descr.group(1) + "'");
        }
        if (fortran.group(1).equals("True")) {
            throw new DatasetFormatException(
                    source,
                    "header field 'fortran_order'",
                    "False (C order; save np.ascontiguousarray(x) instead)",
                    "True");
        }
        long[] dims = dims(source, shape.group(1));
        String found = "shape (" + shape.group(1).strip() + ")";
        if (dims.length != 3 && dims.length != 4) {
            throw new DatasetFormatException(
                    source,
                    "header field 'shape'",
                    "rank 4 (N x C x H x W) or 3 (N x H x W, one channel)",
                    "rank " + dims.length + ", " + found);
        }
        if (dims.length == 4 && dims[1] != 1 && dims[1] != 3) {
            throw new DatasetFormatException(
                    source,
                    "header field 'shape' [1] (channels)",
                    "1 or 3 (N x C x H x W; save channels-last images as x.transpose(0, 3, 1, 2))",
                    dims[1] + ", " + found);
        }
        long height = dims[dims.length - 2];
        long width = dims[dims.length - 1];
        long channels = dims.length == 4 ? dims[1] : 1;
        // In double: the long product of 18-digit dimensions could overflow.
        if (height < 1 || width < 1 || (double) channels * height * width * itemSize > Integer.MAX_VALUE) {
            throw new DatasetFormatException(
                    source, "header field 'shape'", "images of at least 1 x 1 and below 2^31 bytes each", found);
        }
        return new Header(itemSize, order, dims, start + length);
    }

    private static long[] dims(String source, String tuple) {
        List<Long> dims = new ArrayList<>();
        for (String item : tuple.split(",")) {
            String dim = item.strip();
            if (dim.isEmpty()) {
                continue;
            }
            if (!dim.matches("\\d{1,18}")) {
                throw new DatasetFormatException(
                        source, "header field 'shape'", "a tuple of non-negative integers", "(" + tuple + ")");
            }
            dims.add(Long.parseLong(dim));
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }
}

package dev.contrastive.augment.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MNIST-style IDX files: an images file ({@code idx3-ubyte}: magic {@code 0x00000803}, count, rows,
 * columns, then unsigned bytes) and a labels file ({@code idx1-ubyte}: magic {@code 0x00000801},
 * count, then one unsigned byte per image). Both are big-endian, as published by LeCun et al. and
 * reused by Fashion-MNIST.
 *
 * <p>Each file may be raw, gzip or xz, detected by its magic bytes. Raw image files are read in
 * place by byte offset. A compressed file cannot seek, so it is decompressed once, when opened,
 * into a temporary file that is read the same way and disappears on close (see {@link
 * Decompression}). Labels (one byte per image) are held in memory.
 *
 * <p>Checked at open, each failing with one {@link DatasetFormatException}: both magic numbers, the
 * header fields, the file sizes against the declared counts (truncated or trailing data), a damaged
 * or truncated compressed stream, and the label count against the image count.
 *
 * <p>Classes: IDX does not say how many there are. {@link #open(Path, Path)} takes the largest
 * label + 1 and logs that count at INFO with the labels file, so that a stray label (77 in a
 * 10-class set makes 78 classes) is seen. A set whose count is known, as Fashion-MNIST's 10, is
 * opened with it, and a label outside it fails naming the file, the label's index and its value.
 * Labels are unsigned bytes, so none is negative.
 *
 * <p>{@link #get} is safe from several threads.
 */
public final class IdxDataset extends RecordDataset {

    private static final Logger LOG = LoggerFactory.getLogger(IdxDataset.class);

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    private final byte[] labels;

    private IdxDataset(DatasetInfo info, RecordFile images, byte[] labels) {
        super(info, List.of(images));
        this.labels = labels;
    }

    /**
     * Opens an images file and its labels file.
     *
     * @throws DatasetFormatException if either file is malformed or they disagree
     * @throws IOException if a file cannot be read
     */
    public static IdxDataset open(Path images, Path labels) throws IOException {
        return open(images.toString(), images, labels, 0);
    }

    /**
     * Opens an images file and its labels file, raw, gzip or xz.
     *
     * @param name the dataset's {@link DatasetInfo#name()}
     * @param classes as {@link #open(String, String, FileChannel, String, FileChannel, int)} takes it
     */
    static IdxDataset open(String name, Path images, Path labels, int classes) throws IOException {
        return open(
                name,
                images.toString(),
                () -> Decompression.open(images),
                labels.toString(),
                () -> Decompression.open(labels),
                classes);
    }

    /** Opens one of the two files as a decompressed channel. */
    @FunctionalInterface
    interface ChannelOpener {
        FileChannel open() throws IOException;
    }

    /**
     * Opens the images' channel, then the labels' (closing the images' if that fails), then the
     * dataset from both, as {@link #open(String, String, FileChannel, String, FileChannel, int)}.
     */
    static IdxDataset open(
            String name,
            String imagesSource,
            ChannelOpener images,
            String labelsSource,
            ChannelOpener labels,
            int classes)
            throws IOException {
        FileChannel imageChannel = images.open();
        FileChannel labelChannel;
        try {
            labelChannel = labels.open();
        } catch (IOException | RuntimeException e) {
            imageChannel.close();
            throw e;
        }
        return open(name, imagesSource, imageChannel, labelsSource, labelChannel, classes);
    }

    /**
     * Opens decompressed channels, taking ownership of both (closed here on failure, by the dataset
     * otherwise).
     *
     * @param name the dataset's {@link DatasetInfo#name()}
     * @param classes the number of classes the data set has, every label below it; or 0 for the
     *     largest label + 1, logged
     */
    static IdxDataset open(
            String name,
            String imagesSource,
            FileChannel imageChannel,
            String labelsSource,
            FileChannel labelChannel,
            int classes)
            throws IOException {
        Images images;
        try (labelChannel) {
            try {
                images = readImages(imagesSource, imageChannel);
            } catch (IOException | RuntimeException e) {
                imageChannel.close();
                throw e;
            }
            try {
                byte[] labels = readLabels(labelsSource, labelChannel, images.file.records(), imagesSource);
                int[] values = new int[labels.length];
                for (int i = 0; i < values.length; i++) {
                    values[i] = Byte.toUnsignedInt(labels[i]);
                    if (classes > 0 && values[i] >= classes) {
                        throw new DatasetFormatException(
                                labelsSource,
                                "label " + i + " (offset " + (8 + i) + ")",
                                "a class in [0, " + classes + ")",
                                Integer.toString(values[i]));
                    }
                }
                int classCount = classes > 0 ? classes : ClassCount.inferred(LOG, labelsSource, values);
                DatasetInfo info = DatasetInfo.builder()
                        .name(name)
                        .size(labels.length)
                        .channels(1)
                        .height(images.rows)
                        .width(images.columns)
                        .classes(classCount)
                        .build();
                return new IdxDataset(info, images.file, labels);
            } catch (IOException | RuntimeException e) {
                images.file.close();
                throw e;
            }
        }
    }

    private record Images(RecordFile file, int rows, int columns) {}

    private static Images readImages(String source, FileChannel channel) throws IOException {
        ByteBuffer header = RecordFile.header(source, channel, 16, "IDX image header");
        checkMagic(source, header.getInt(0), IMAGES_MAGIC, "unsigned byte, 3 dimensions: images");
        int count = header.getInt(4);
        int rows = header.getInt(8);
        int columns = header.getInt(12);
        checkDimension(source, "image count (offset 4)", count, 0);
        checkDimension(source, "row count (offset 8)", rows, 1);
        checkDimension(source, "column count (offset 12)", columns, 1);
        if ((long) rows * columns > Integer.MAX_VALUE) {
            throw new DatasetFormatException(
                    source,
                    "rows x columns (offsets 8, 12)",
                    "at most " + Integer.MAX_VALUE + " pixels",
                    rows + " x " + columns);
        }
        return new Images(RecordFile.declared(source, channel, 16, rows * columns, count), rows, columns);
    }

    private static byte[] readLabels(String source, FileChannel channel, long imageCount, String imagesSource)
            throws IOException {
        ByteBuffer header = RecordFile.header(source, channel, 8, "IDX label header");
        checkMagic(source, header.getInt(0), LABELS_MAGIC, "unsigned byte, 1 dimension: labels");
        int count = header.getInt(4);
        checkDimension(source, "label count (offset 4)", count, 0);
        if (count != imageCount) {
            throw new DatasetFormatException(
                    source,
                    "label count (offset 4)",
                    imageCount + " labels, one per image in " + imagesSource,
                    count + " labels");
        }
        try (RecordFile labels = RecordFile.declared(source, channel, 8, 1, count)) {
            byte[] values = new byte[count];
            labels.read(0, count, values);
            return values;
        }
    }

    private static void checkMagic(String source, int found, int expected, String meaning) {
        if (found != expected) {
            throw new DatasetFormatException(
                    source,
                    "magic number (offset 0)",
                    String.format("0x%08x (%s)", expected, meaning),
                    String.format("0x%08x", found));
        }
    }

    private static void checkDimension(String source, String field, int value, int min) {
        if (value < min) {
            throw new DatasetFormatException(
                    source,
                    field,
                    "a value >= " + min + " (unsigned 32-bit, below 2^31)",
                    Integer.toUnsignedString(value));
        }
    }

    @Override
    Image decode(int index, RecordFile part, long indexInPart, byte[] record, int offset) {
        DatasetInfo info = info();
        byte[] pixels = Arrays.copyOfRange(record, offset, offset + part.recordBytes());
        return new Image(pixels, 1, info.height(), info.width(), Byte.toUnsignedInt(labels[index]));
    }
}

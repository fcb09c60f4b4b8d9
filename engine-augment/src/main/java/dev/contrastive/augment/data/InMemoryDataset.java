package dev.contrastive.augment.data;

import dev.contrastive.core.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images held in memory, from the arrays a researcher already has: a list of {@link Image}s ({@link
 * #of}), an ND4J array ({@link #fromArray}) or NumPy {@code .npy} files ({@link #fromNpy}).
 *
 * <p>Pixels are stored as {@link Image} stores them, unsigned bytes: UINT8 arrays are taken as they
 * are, FLOAT and DOUBLE arrays must hold values in [0, 1] and become {@code round(255 v)}.
 *
 * <p>Immutable and thread-safe: the pixels are copied in when the dataset is made and every {@link
 * #get} returns a fresh copy, as the file readers do, so no caller can change what another reads.
 * {@link #close} does nothing.
 */
public final class InMemoryDataset extends AbstractDataset {

    private static final Logger LOG = LoggerFactory.getLogger(InMemoryDataset.class);

    /** One C x H x W array per image; arrays, not one block, so a set may exceed 2 GiB. */
    private final byte[][] pixels;

    /** Labels in [0, classes), or null for an unlabeled set. */
    private final int[] labels;

    private InMemoryDataset(DatasetInfo info, byte[][] pixels, int[] labels) {
        super(info);
        this.pixels = pixels;
        this.labels = labels;
    }

    /**
     * A copy of {@code images}, which must all have the shape of the first.
     *
     * @param classes the number of classes, every label in [0, classes); or 0 for an unlabeled set,
     *     every label {@link Image#UNLABELED}
     */
    public static InMemoryDataset of(String name, List<Image> images, int classes) {
        checkName(name);
        if (images == null || images.isEmpty()) {
            throw new IllegalArgumentException(
                    "inmemory.images must hold at least one image (the first gives the shape), got "
                            + (images == null ? "null" : "none"));
        }
        checkClasses(classes);
        Image first = images.get(0);
        byte[][] pixels = new byte[images.size()][];
        int[] labels = classes == 0 ? null : new int[images.size()];
        for (int i = 0; i < pixels.length; i++) {
            Image image = images.get(i);
            if (image == null) {
                throw new IllegalArgumentException("inmemory.images[" + i + "] must not be null");
            }
            image.requireShapeOf(first, "inmemory.images[" + i + "]");
            if (classes == 0 && image.label() != Image.UNLABELED) {
                throw new IllegalArgumentException("inmemory.images["
                        + i
                        + "].label must be "
                        + Image.UNLABELED
                        + " (unlabeled) as classes is 0, got "
                        + image.label());
            }
            if (classes > 0) {
                labels[i] = checkLabel("inmemory.images[" + i + "].label", image.label(), classes);
            }
            pixels[i] = image.pixels().clone();
        }
        DatasetInfo info = DatasetInfo.builder()
                .name(name)
                .size(pixels.length)
                .channels(first.channels())
                .height(first.height())
                .width(first.width())
                .classes(classes)
                .build();
        return new InMemoryDataset(info, pixels, labels);
    }

    /**
     * The images of an N x C x H x W array (C 1 or 3), copied.
     *
     * @param images UINT8 (0-255, taken as is), or FLOAT or DOUBLE in [0, 1] (quantised to {@code
     *     round(255 v)}); any order or view
     * @param labels N class indices in [0, classes), or null for an unlabeled set
     * @param classes the number of classes, >= 1 with labels; 0 without
     * @throws IllegalArgumentException naming the first offending index and value when a float pixel
     *     is outside [0, 1] or NaN, or a label outside [0, classes)
     */
    public static InMemoryDataset fromArray(String name, INDArray images, int[] labels, int classes) {
        checkName(name);
        if (images == null) {
            throw new IllegalArgumentException("inmemory.images must not be null");
        }
        long[] shape = images.shape();
        if (shape.length != 4) {
            throw new IllegalArgumentException(
                    "inmemory.images must be N x C x H x W (rank 4), got shape " + Arrays.toString(shape));
        }
        if (shape[1] != 1 && shape[1] != 3) {
            throw new IllegalArgumentException("inmemory.images shape[1] (channels) must be 1 or 3, got "
                    + shape[1]
                    + " (shape "
                    + Arrays.toString(shape)
                    + "; channels-last N x H x W x C arrays need"
                    + " permute(0, 3, 1, 2))");
        }
        if (shape[2] < 1 || shape[3] < 1 || shape[1] * shape[2] * shape[3] > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "inmemory.images height x width must be at least 1 x 1 and C x H x W below 2^31, got "
                            + Arrays.toString(shape));
        }
        DataType type = images.dataType();
        if (type != DataType.UINT8 && type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException(
                    "inmemory.images data type must be UINT8 (0-255), or FLOAT or DOUBLE (in [0, 1]), got " + type);
        }
        if (shape[0] > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "inmemory.images must hold at most " + Integer.MAX_VALUE + " images, got " + shape[0]);
        }
        int size = (int) shape[0];
        int[] checkedLabels = checkLabels(labels, size, classes);
        int imageSize = (int) (shape[1] * shape[2] * shape[3]);
        byte[][] pixels = new byte[size][];
        // A C-order copy, so image i is the elements [i * imageSize, (i + 1) * imageSize) of its buffer
        // whatever the strides, offset and order of the array given.
        try (INDArray dense = images.dup('c')) {
            for (int i = 0; i < size; i++) {
                long start = (long) i * imageSize;
                byte[] image = new byte[imageSize];
                if (type == DataType.UINT8) {
                    int[] values = dense.data().getIntsAt(start, imageSize);
                    for (int k = 0; k < imageSize; k++) {
                        image[k] = (byte) values[k];
                    }
                } else {
                    double[] values = dense.data().getDoublesAt(start, imageSize);
                    for (int k = 0; k < imageSize; k++) {
                        if (!inUnitRange(values[k])) {
                            throw new IllegalArgumentException("inmemory.images"
                                    + index(start + k, shape)
                                    + " must be in [0, 1] ("
                                    + type
                                    + " images are quantised to bytes), got "
                                    + (type == DataType.FLOAT
                                            ? Float.toString((float) values[k])
                                            : Double.toString(values[k])));
                        }
                        image[k] = quantise(values[k]);
                    }
                }
                pixels[i] = image;
            }
        }
        DatasetInfo info = DatasetInfo.builder()
                .name(name)
                .size(size)
                .channels((int) shape[1])
                .height((int) shape[2])
                .width((int) shape[3])
                .classes(classes)
                .build();
        return new InMemoryDataset(info, pixels, checkedLabels);
    }

    /**
     * Images and labels from NumPy {@code .npy} files, as {@code np.save} writes them.
     *
     * @param images uint8 (taken as is), or float32 or float64 in [0, 1] (quantised as {@link
     *     #fromArray} does); shape N x C x H x W with C 1 or 3, or N x H x W for one channel
     * @param labels int32 or int64 (uint8 is accepted too) of shape (N,), each >= 0; or null for an
     *     unlabeled set. The number of classes is the largest label + 1, logged at INFO.
     * @throws IllegalArgumentException ({@link DatasetFormatException} or {@link
     *     dev.contrastive.core.io.NpyFormatException}) naming the file and what was expected: wrong
     *     rank or dtype, truncated or trailing data, a label count other than N, a negative label, a
     *     float pixel outside [0, 1]
     * @throws IOException if a file cannot be read
     */
    public static InMemoryDataset fromNpy(Path images, Path labels) throws IOException {
        if (images == null) {
            throw new IllegalArgumentException("inmemory.images must name a .npy file, got null");
        }
        NpyImages.Pixels read = NpyImages.read(images);
        int size = read.images().length;
        int[] values = null;
        int classes = 0;
        if (labels != null) {
            values = Npy.readIntVector(labels);
            if (values.length != size) {
                throw new DatasetFormatException(
                        labels.toString(),
                        "header field 'shape' (label count)",
                        size + " labels, one per image in " + images,
                        values.length + " labels");
            }
            for (int i = 0; i < values.length; i++) {
                if (values[i] < 0) {
                    throw new DatasetFormatException(
                            labels.toString(), "element " + i, "a class index >= 0", Integer.toString(values[i]));
                }
            }
            classes = ClassCount.inferred(LOG, labels.toString(), values);
        }
        DatasetInfo info = DatasetInfo.builder()
                .name(images.toString())
                .size(size)
                .channels(read.channels())
                .height(read.height())
                .width(read.width())
                .classes(classes)
                .build();
        return new InMemoryDataset(info, read.images(), values);
    }

    /** Whether a float pixel can be quantised: false for NaN. */
    static boolean inUnitRange(double value) {
        return value >= 0 && value <= 1;
    }

    /** {@code round(255 v)} as an unsigned byte, for v in [0, 1]. */
    static byte quantise(double value) {
        return (byte) Math.round(value * 255);
    }

    /** Element {@code flat} of a C-order array of {@code shape}, as "[n, c, y, x]". */
    static String index(long flat, long[] shape) {
        long[] at = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = flat % shape[d];
            flat /= shape[d];
        }
        return Arrays.toString(at);
    }

    private static void checkName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(
                    "inmemory.name must name the data for messages, got " + (name == null ? "null" : "'" + name + "'"));
        }
    }

    private static void checkClasses(int classes) {
        if (classes < 0) {
            throw new IllegalArgumentException("inmemory.classes must be >= 0 (0: unlabeled), got " + classes);
        }
    }

    private static int[] checkLabels(int[] labels, int size, int classes) {
        checkClasses(classes);
        if (labels == null) {
            if (classes != 0) {
                throw new IllegalArgumentException(
                        "inmemory.classes must be 0 when labels is null (an unlabeled set), got " + classes);
            }
            return null;
        }
        if (classes == 0) {
            throw new IllegalArgumentException("inmemory.classes must be >= 1 when there are labels, got 0");
        }
        if (labels.length != size) {
            throw new IllegalArgumentException(
                    "inmemory.labels must hold one label per image, " + size + ", got " + labels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            checkLabel("inmemory.labels[" + i + "]", labels[i], classes);
        }
        return labels.clone();
    }

    private static int checkLabel(String field, int label, int classes) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException(field + " must be in [0, " + classes + "), got " + label);
        }
        return label;
    }

    @Override
    Image read(int index) {
        return new Image(
                pixels[index].clone(),
                info.channels(),
                info.height(),
                info.width(),
                labels == null ? Image.UNLABELED : labels[index]);
    }

    /** Nothing to release: the images are on the heap. */
    @Override
    public void close() {}
}

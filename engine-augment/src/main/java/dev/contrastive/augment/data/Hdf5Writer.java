package dev.contrastive.augment.data;

import static org.bytedeco.hdf5.global.hdf5.H5S_SELECT_SET;
import static org.bytedeco.hdf5.global.hdf5.H5S_UNLIMITED;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.bytedeco.hdf5.DSetAccPropList;
import org.bytedeco.hdf5.DSetCreatPropList;
import org.bytedeco.hdf5.DSetMemXferPropList;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.LinkCreatPropList;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Writes images to an HDF5 file that {@link Hdf5Dataset} reads: a uint8 N x C x H x W dataset and,
 * for a labeled file, an int32 N dataset, both chunked along N, extendible (so N need not be known
 * in advance) and deflate-compressed as {@link Hdf5WriteOptions} says.
 *
 * <p>The file is built in memory and written to the target by {@link #commit} through {@link
 * dev.contrastive.core.io.AtomicFiles}, so the target is complete or untouched, and a full disk is
 * an {@link IOException} naming the target rather than a crash of libhdf5 (see {@link Hdf5}): it
 * needs memory for the compressed file, twice that while {@code commit} copies it out. {@link
 * #close} without {@code commit} (an exception in a try-with-resources block) discards it. Images
 * are buffered a whole chunk at a time, so each chunk is compressed once.
 *
 * <p>Not for concurrent use; every HDF5 call takes the JVM-wide lock of {@link Hdf5}.
 *
 * <pre>{@code
 * try (Hdf5Writer writer = Hdf5Writer.create(path, 3, 32, 32, true, Hdf5WriteOptions.defaults())) {
 *   for (Image image : images) writer.append(image);
 *   writer.commit();
 * }
 * }</pre>
 */
public final class Hdf5Writer implements AutoCloseable {

    /** Labels per chunk (64 KiB of int32): labels are small, so few and reasonably big chunks. */
    static final int LABEL_CHUNK = 1 << 14;

    /** Growth of the in-memory file: few reallocations for files of gigabytes, little waste. */
    private static final long MEMORY_INCREMENT = 8 << 20;

    private final Path target;
    private final int channels;
    private final int height;
    private final int width;
    private final int imageBytes;
    private final H5File file;
    private final DataSet images;
    private final DataSet labels;
    private final byte[] pendingImages;
    private final int[] pendingLabels;
    private int pendingImageCount;
    private int pendingLabelCount;
    private long imagesWritten;
    private long labelsWritten;
    private boolean finished;

    private Hdf5Writer(
            Path target,
            int channels,
            int height,
            int width,
            int chunkImages,
            H5File file,
            DataSet images,
            DataSet labels) {
        this.target = target;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.imageBytes = channels * height * width;
        this.file = file;
        this.images = images;
        this.labels = labels;
        this.pendingImages = new byte[chunkImages * imageBytes];
        this.pendingLabels = labels == null ? null : new int[LABEL_CHUNK];
    }

    /**
     * Starts a file of images of one shape.
     *
     * @param labeled whether to write a labels dataset; if false, the images' labels are dropped
     */
    public static Hdf5Writer create(
            Path target, int channels, int height, int width, boolean labeled, Hdf5WriteOptions options)
            throws IOException {
        Objects.requireNonNull(options, "options");
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("hdf5.channels must be 1 or 3, got " + channels);
        }
        if (height < 1 || width < 1 || (long) channels * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "hdf5.height and hdf5.width must be >= 1 with C x H x W below 2^31, got " + height + " x " + width);
        }
        Path absolute = target.toAbsolutePath();
        // The file is built in memory, so a missing directory would otherwise show only at commit.
        if (!Files.isDirectory(absolute.getParent())) {
            throw new IOException("cannot write HDF5 file "
                    + absolute
                    + ": its directory "
                    + absolute.getParent()
                    + " does not exist");
        }
        int imageBytes = channels * height * width;
        int chunkImages = Math.max(1, options.chunkBytes() / imageBytes);
        Hdf5Layout layout = options.layout();
        return Hdf5.locked(() -> {
            H5File h5 = Hdf5.createInMemory(absolute, MEMORY_INCREMENT);
            DataSet imageSet = null;
            try {
                imageSet = create(
                        h5,
                        layout.images(),
                        PredType.STD_U8LE(),
                        new long[] {0, channels, height, width},
                        new long[] {chunkImages, channels, height, width},
                        options.deflateLevel());
                DataSet labelSet = labeled
                        ? create(
                                h5,
                                layout.labels(),
                                PredType.STD_I32LE(),
                                new long[] {0},
                                new long[] {LABEL_CHUNK},
                                options.deflateLevel())
                        : null;
                return new Hdf5Writer(absolute, channels, height, width, chunkImages, h5, imageSet, labelSet);
            } catch (RuntimeException e) {
                if (imageSet != null) {
                    imageSet.close();
                }
                h5.close();
                throw new IOException(
                        "cannot write HDF5 file "
                                + absolute
                                + ": creating datasets "
                                + layout.images()
                                + (labeled ? " and " + layout.labels() : "")
                                + ": "
                                + e.getMessage(),
                        e);
            }
        });
    }

    /** An extendible, chunked, compressed dataset at {@code path}, creating missing groups. */
    private static DataSet create(H5File h5, String path, PredType type, long[] dims, long[] chunk, int deflateLevel) {
        String[] parts = path.split("/");
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            prefix.append(i == 0 ? "" : "/").append(parts[i]);
            if (!h5.nameExists(prefix.toString())) {
                h5.createGroup(prefix.toString()).close();
            }
        }
        long[] max = dims.clone();
        max[0] = H5S_UNLIMITED;
        try (DataSpace space = new DataSpace(dims.length, dims, max);
                DSetCreatPropList plist = new DSetCreatPropList()) {
            plist.setChunk(chunk.length, chunk);
            if (deflateLevel > 0) {
                plist.setDeflate(deflateLevel);
            }
            return h5.createDataSet(path, type, space, plist, DSetAccPropList.DEFAULT(), LinkCreatPropList.DEFAULT());
        }
    }

    /** Appends one image; it must have this file's shape, and a label if the file is labeled. */
    public void append(Image image) throws IOException {
        if (finished) {
            throw new IllegalStateException("writer of " + target + " is already committed or closed");
        }
        if (!image.hasShape(channels, height, width)) {
            throw new IllegalArgumentException("image "
                    + count()
                    + " is "
                    + image.describeShape()
                    + ", the file holds "
                    + channels
                    + " x "
                    + height
                    + " x "
                    + width);
        }
        if (labels != null) {
            if (image.label() == Image.UNLABELED) {
                throw new IllegalArgumentException("image " + count() + " has no label, but the file is labeled");
            }
            pendingLabels[pendingLabelCount++] = image.label();
            if (pendingLabelCount == pendingLabels.length) {
                flushLabels();
            }
        }
        System.arraycopy(image.pixels(), 0, pendingImages, pendingImageCount * imageBytes, imageBytes);
        pendingImageCount++;
        if (pendingImageCount * imageBytes == pendingImages.length) {
            flushImages();
        }
    }

    /** Images appended so far. */
    public long count() {
        return imagesWritten + pendingImageCount;
    }

    /**
     * Writes what is buffered, closes the file and writes it to the target.
     *
     * @throws IOException naming the target and the cause; the target is then left as it was
     */
    public void commit() throws IOException {
        commit(UnaryOperator.identity());
    }

    /** {@link #commit()} with the stream to the disk decorated: tests make it fail. */
    void commit(UnaryOperator<OutputStream> decorate) throws IOException {
        if (finished) {
            throw new IllegalStateException("writer of " + target + " is already committed or closed");
        }
        try {
            flushImages();
            if (labels != null) {
                flushLabels();
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        finished = true;
        Hdf5.locked(() -> {
            try (DataSet closedImages = images;
                    DataSet closedLabels = labels) {
                // _close() throws on failure, where the destructor would only print it.
                images._close();
                if (labels != null) {
                    labels._close();
                }
            } catch (RuntimeException e) {
                file.close();
                throw new IOException("cannot write HDF5 file " + target + ": " + e.getMessage(), e);
            }
            return null;
        });
        Hdf5.commit(file, target, decorate);
    }

    /** Discards the file unless {@link #commit} succeeded; the target is left as it was. */
    @Override
    public void close() throws IOException {
        if (!finished) {
            finished = true;
            Hdf5.locked(() -> {
                try {
                    images.close();
                    if (labels != null) {
                        labels.close();
                    }
                } finally {
                    file.close();
                }
                return null;
            });
        }
    }

    private void flushImages() throws IOException {
        if (pendingImageCount > 0) {
            long first = imagesWritten;
            int count = pendingImageCount;
            try (BytePointer buffer = new BytePointer((long) count * imageBytes)) {
                buffer.put(pendingImages, 0, count * imageBytes);
                writeRows(images, buffer, PredType.NATIVE_UINT8(), first, count, new long[] {channels, height, width});
            }
            imagesWritten += count;
            pendingImageCount = 0;
        }
    }

    private void flushLabels() throws IOException {
        if (pendingLabelCount > 0) {
            long first = labelsWritten;
            int count = pendingLabelCount;
            try (IntPointer buffer = new IntPointer(count)) {
                buffer.put(pendingLabels, 0, count);
                writeRows(labels, buffer, PredType.NATIVE_INT32(), first, count, new long[0]);
            }
            labelsWritten += count;
            pendingLabelCount = 0;
        }
    }

    /** Extends {@code dataset} by {@code count} rows and writes them from {@code buffer}. */
    private void writeRows(DataSet dataset, Pointer buffer, PredType memoryType, long first, int count, long[] rowShape)
            throws IOException {
        long[] extent = new long[rowShape.length + 1];
        long[] block = new long[rowShape.length + 1];
        long[] start = new long[rowShape.length + 1];
        extent[0] = first + count;
        block[0] = count;
        start[0] = first;
        long elements = count;
        for (int d = 0; d < rowShape.length; d++) {
            extent[d + 1] = rowShape[d];
            block[d + 1] = rowShape[d];
            elements *= rowShape[d];
        }
        long total = elements;
        Hdf5.locked(() -> {
            try {
                dataset.extend(extent);
                try (DataSpace fileSpace = dataset.getSpace();
                        DataSpace memorySpace = new DataSpace(1, new long[] {total})) {
                    // The C++ API takes (count, start), in that order.
                    fileSpace.selectHyperslab(H5S_SELECT_SET, block, start);
                    dataset.write(buffer, memoryType, memorySpace, fileSpace, DSetMemXferPropList.DEFAULT());
                }
            } catch (RuntimeException e) {
                throw new IOException(
                        "cannot write HDF5 file "
                                + target
                                + ": rows "
                                + first
                                + " to "
                                + (first + count - 1)
                                + ": "
                                + e.getMessage(),
                        e);
            }
            return null;
        });
    }

    /** Writes every image of {@code source}, streaming, to {@code target}. */
    public static void write(Path target, Dataset source, Hdf5WriteOptions options) throws IOException {
        DatasetInfo info = source.info();
        try (Hdf5Writer writer =
                create(target, info.channels(), info.height(), info.width(), info.labeled(), options)) {
            for (Iterator<Image> it = source.stream(); it.hasNext(); ) {
                writer.append(it.next());
            }
            writer.commit();
        }
    }
}

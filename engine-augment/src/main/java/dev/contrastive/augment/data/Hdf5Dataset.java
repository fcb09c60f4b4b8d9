package dev.contrastive.augment.data;

import static org.bytedeco.hdf5.global.hdf5.H5D_CHUNKED;
import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_RDONLY;
import static org.bytedeco.hdf5.global.hdf5.H5S_SELECT_SET;
import static org.bytedeco.hdf5.global.hdf5.H5T_INTEGER;
import static org.bytedeco.hdf5.global.hdf5.H5T_SGN_NONE;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Objects;
import org.bytedeco.hdf5.DSetCreatPropList;
import org.bytedeco.hdf5.DSetMemXferPropList;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.DataType;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.IntType;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images in an HDF5 file: a uint8 dataset of shape N x C x H x W (C is 1 or 3) and, if present, an
 * integer dataset of N labels (see {@link Hdf5Layout}); {@link Hdf5Writer} writes such files, and
 * h5py writes them with {@code f.create_dataset("images", data=x.astype("uint8"))}.
 *
 * <p>Checked at open, failing with one {@link DatasetFormatException} naming the file and the
 * dataset: the file is HDF5 and opens; the images dataset exists, has rank 4, C in {1, 3}, H and W
 * >= 1, and is unsigned 8-bit; the labels dataset, if it exists, is a dataset of rank 1 with N
 * entries of an integer type, each in [0, 2^31 - 1) (a negative label fails naming its element).
 * Labels are read into memory at open. The file does not say how many classes there are: the count
 * is the largest label + 1, logged at INFO with the file and dataset so that a stray label is seen.
 * Images are read from the file as asked, one hyperslab per {@link #get}, blocks of whole chunks
 * per {@link #stream} step.
 *
 * <p>Thread safety: every HDF5 call takes one JVM-wide lock (see {@link Hdf5} for why), so {@link
 * #get} is safe from several threads but they take turns inside the library.
 */
public final class Hdf5Dataset extends AbstractDataset {

    private static final Logger LOG = LoggerFactory.getLogger(Hdf5Dataset.class);

    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    /** Bytes a stream reads per step, rounded to whole chunks. */
    private static final int STREAM_BLOCK_BYTES = 1 << 20;

    private final H5File file;
    private final DataSet images;
    private final int[] labels;
    private final int imageBytes;
    private final int streamBlockImages;
    private boolean closed;

    private Hdf5Dataset(DatasetInfo info, H5File file, DataSet images, int[] labels, int streamBlockImages) {
        super(info);
        this.file = file;
        this.images = images;
        this.labels = labels;
        this.imageBytes = info.channels() * info.height() * info.width();
        this.streamBlockImages = streamBlockImages;
    }

    /** Opens {@code file} with the default layout ("images", "labels"). */
    public static Hdf5Dataset open(Path file) throws IOException {
        return open(file, Hdf5Layout.defaults());
    }

    /**
     * Opens the datasets that {@code layout} names in {@code file}.
     *
     * @throws DatasetFormatException if the file is not HDF5 or a dataset is missing or malformed
     * @throws IOException if the file does not exist or cannot be read
     */
    public static Hdf5Dataset open(Path file, Hdf5Layout layout) throws IOException {
        Objects.requireNonNull(layout, "layout");
        String source = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(source, null, "no such HDF5 file");
        }
        return Hdf5.locked(() -> {
            if (!H5File.isHdf5(source)) {
                throw new DatasetFormatException(
                        source,
                        "signature (offset 0)",
                        "the HDF5 signature " + HexFormat.ofDelimiter(" ").formatHex(SIGNATURE),
                        "first bytes " + firstBytes(file));
            }
            H5File h5;
            try {
                h5 = new H5File(source, H5F_ACC_RDONLY);
            } catch (RuntimeException e) {
                throw new DatasetFormatException(
                        source,
                        "file structure",
                        "an HDF5 file the library can open",
                        "an error (" + e.getMessage() + "): truncated or damaged");
            }
            try {
                DataSet images = openImages(source, h5, layout.images());
                try {
                    return open(source, h5, images, layout);
                } catch (RuntimeException e) {
                    images.close();
                    throw e;
                }
            } catch (RuntimeException e) {
                h5.close();
                throw e;
            }
        });
    }

    private static Hdf5Dataset open(String source, H5File h5, DataSet images, Hdf5Layout layout) {
        long[] dims = Hdf5.dims(images);
        String where = "dataset '" + layout.images() + "'";
        checkRank(source, where, dims, 4, "N x C x H x W");
        if (dims[1] != 1 && dims[1] != 3) {
            throw new DatasetFormatException(source, where + " shape[1] (channels)", "1 or 3", Long.toString(dims[1]));
        }
        if (dims[2] < 1 || dims[3] < 1 || dims[1] * dims[2] * dims[3] > Integer.MAX_VALUE) {
            throw new DatasetFormatException(
                    source,
                    where + " shape[2:4] (height x width)",
                    "at least 1 x 1 and C x H x W below 2^31 bytes",
                    dims[2] + " x " + dims[3]);
        }
        int size = RecordDataset.checkedSize(source, dims[0]);
        try (DataType type = images.asAbstractDs().getDataType()) {
            boolean uint8 = type._getClass() == H5T_INTEGER && type.getSize() == 1;
            if (uint8) {
                try (IntType integer = new IntType(images)) {
                    uint8 = integer.getSign() == H5T_SGN_NONE;
                }
            }
            if (!uint8) {
                throw new DatasetFormatException(
                        source, where + " type", "unsigned 8-bit integer", Hdf5.describeType(images));
            }
        }
        int[] labels = Hdf5.isDataset(h5, layout.labels()) ? readLabels(source, h5, layout.labels(), size) : null;
        String labelsWhere = source + " dataset '" + layout.labels() + "'";
        int classes = labels == null ? 0 : ClassCount.inferred(LOG, labelsWhere, labels);
        int channels = (int) dims[1];
        int height = (int) dims[2];
        int width = (int) dims[3];
        DatasetInfo info = DatasetInfo.builder()
                .name(source)
                .size(size)
                .channels(channels)
                .height(height)
                .width(width)
                .classes(classes)
                .build();
        return new Hdf5Dataset(info, h5, images, labels, streamBlockImages(images, channels * height * width));
    }

    /** Throws naming {@code where}'s rank unless {@code dims} has {@code rank} axes, {@code axes}. */
    private static void checkRank(String source, String where, long[] dims, int rank, String axes) {
        if (dims.length != rank) {
            throw new DatasetFormatException(
                    source,
                    where + " rank",
                    rank + " (" + axes + ")",
                    dims.length + " (shape " + Arrays.toString(dims) + ")");
        }
    }

    private static DataSet openImages(String source, H5File h5, String path) {
        if (!Hdf5.isDataset(h5, path)) {
            throw new DatasetFormatException(
                    source,
                    "dataset '" + path + "'",
                    "a uint8 N x C x H x W images dataset",
                    h5.nameExists(path) ? "a group or other object, not a dataset" : "no such dataset");
        }
        return h5.openDataSet(path);
    }

    private static int[] readLabels(String source, H5File h5, String path, int size) {
        String where = "dataset '" + path + "'";
        try (DataSet dataset = h5.openDataSet(path)) {
            long[] dims = Hdf5.dims(dataset);
            checkRank(source, where, dims, 1, "N labels");
            if (dims[0] != size) {
                throw new DatasetFormatException(
                        source, where + " length", size + " labels, one per image", dims[0] + " labels");
            }
            try (DataType type = dataset.asAbstractDs().getDataType()) {
                if (type._getClass() != H5T_INTEGER) {
                    throw new DatasetFormatException(
                            source, where + " type", "an integer type", Hdf5.describeType(dataset));
                }
            }
            int[] labels = new int[size];
            if (size == 0) {
                return labels;
            }
            // Read as int64, the widest, so HDF5's conversion never clips a value we then cannot see.
            try (LongPointer values = new LongPointer(size)) {
                dataset.read(values, PredType.NATIVE_INT64());
                for (int i = 0; i < size; i++) {
                    long label = values.get(i);
                    if (label < 0 || label >= Integer.MAX_VALUE) {
                        throw new DatasetFormatException(
                                source,
                                where + " element " + i,
                                "a class index in [0, " + Integer.MAX_VALUE + ")",
                                Long.toString(label));
                    }
                    labels[i] = (int) label;
                }
            }
            return labels;
        }
    }

    /** Whole chunks per stream step, so no chunk is inflated twice by one pass. */
    private static int streamBlockImages(DataSet images, int imageBytes) {
        int perBlock = Math.max(1, STREAM_BLOCK_BYTES / imageBytes);
        try (DSetCreatPropList plist = images.getCreatePlist()) {
            if (plist.getLayout() != H5D_CHUNKED) {
                return perBlock;
            }
            long[] chunk = new long[4];
            plist.getChunk(4, chunk);
            long chunkImages = Math.max(1, chunk[0]);
            if (chunkImages * imageBytes > Hdf5WriteOptions.MAX_CHUNK_BYTES) {
                return perBlock; // a huge foreign chunk: do not buffer it whole
            }
            return (int) Math.min(Integer.MAX_VALUE, Math.max(1, perBlock / chunkImages) * chunkImages);
        }
    }

    private static String firstBytes(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(SIGNATURE.length);
            return head.length == 0
                    ? "none (empty file)"
                    : HexFormat.ofDelimiter(" ").formatHex(head);
        }
    }

    @Override
    Image read(int index) {
        byte[] pixels = new byte[imageBytes];
        readBlock(index, 1, pixels);
        return new Image(pixels, info.channels(), info.height(), info.width(), label(index));
    }

    private int label(int index) {
        return labels == null ? Image.UNLABELED : labels[index];
    }

    /** Reads images [first, first + count) into {@code dst}. */
    private void readBlock(int first, int count, byte[] dst) {
        try {
            Hdf5.locked(() -> {
                if (closed) {
                    throw new IllegalStateException("dataset " + info.name() + " is closed");
                }
                long bytes = (long) count * imageBytes;
                try (DataSpace fileSpace = images.getSpace();
                        DataSpace memorySpace = new DataSpace(1, new long[] {bytes});
                        BytePointer buffer = new BytePointer(bytes)) {
                    // The C++ API takes (count, start), in that order.
                    fileSpace.selectHyperslab(
                            H5S_SELECT_SET,
                            new long[] {count, info.channels(), info.height(), info.width()},
                            new long[] {first, 0, 0, 0});
                    // Cast: the BytePointer overload is the C++ std::string& one, not void*.
                    images.read(
                            (Pointer) buffer,
                            PredType.NATIVE_UINT8(),
                            memorySpace,
                            fileSpace,
                            DSetMemXferPropList.DEFAULT());
                    buffer.get(dst, 0, (int) bytes);
                } catch (RuntimeException e) {
                    // A chunk that fails to inflate or a short read: the file changed or is damaged.
                    throw new DatasetFormatException(
                            info.name(),
                            "images " + first + ".." + (first + count - 1),
                            "readable uint8 data",
                            "an HDF5 read error (" + e.getMessage() + ")");
                }
                return null;
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Iterator<Image> stream() {
        return new InOrder() {
            private final byte[] block = new byte[Math.min(streamBlockImages, Math.max(1, info.size())) * imageBytes];
            private int blockStart;
            private int blockCount;

            @Override
            Image readNext(int index) {
                if (index == blockStart + blockCount) {
                    blockStart = index;
                    blockCount = Math.min(streamBlockImages, info.size() - index);
                    readBlock(blockStart, blockCount, block);
                }
                int offset = (index - blockStart) * imageBytes;
                byte[] pixels = Arrays.copyOfRange(block, offset, offset + imageBytes);
                return new Image(pixels, info.channels(), info.height(), info.width(), label(index));
            }
        };
    }

    @Override
    public void close() throws IOException {
        Hdf5.locked(() -> {
            if (!closed) {
                closed = true;
                try {
                    images.close();
                } finally {
                    file.close();
                }
            }
            return null;
        });
    }
}

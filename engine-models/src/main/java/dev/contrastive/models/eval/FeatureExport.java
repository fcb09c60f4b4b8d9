package dev.contrastive.models.eval;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_RDONLY;
import static org.bytedeco.hdf5.global.hdf5.H5S_SCALAR;
import static org.bytedeco.hdf5.global.hdf5.H5T_CSET_UTF8;
import static org.bytedeco.hdf5.global.hdf5.H5T_FLOAT;
import static org.bytedeco.hdf5.global.hdf5.H5T_INTEGER;
import static org.bytedeco.hdf5.global.hdf5.H5T_STRING;
import static org.bytedeco.hdf5.global.hdf5.H5T_STR_NULLPAD;

import dev.contrastive.augment.data.Hdf5;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DSetAccPropList;
import org.bytedeco.hdf5.DSetCreatPropList;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.LinkCreatPropList;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.StrType;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Writes a {@link FeatureSet} to HDF5 for use outside the engine (NumPy, h5py, scikit-learn): a
 * float32 (N, F) dataset {@code features}, an int32 (N) dataset {@code labels}, and root attributes
 * saying where the features came from ({@link Attributes}).
 *
 * <p>Like {@link dev.contrastive.augment.data.Hdf5Writer}: datasets chunked along N (512 KiB
 * chunks) and deflate level 6; the file is built in memory and written with {@link
 * dev.contrastive.core.io.AtomicFiles} ({@link Hdf5#commit}), so the target is complete or
 * untouched and a full disk is an IOException naming it, never a crash of libhdf5 at exit. Every
 * HDF5 call holds the JVM-wide lock of {@link Hdf5#locked}, since the bundled libhdf5 is not
 * thread-safe.
 */
public final class FeatureExport {

    public static final String FEATURES = "features";
    public static final String LABELS = "labels";

    private static final int CHUNK_BYTES = 1 << 19;
    private static final int LABEL_CHUNK = 1 << 14;
    private static final int DEFLATE_LEVEL = 6;

    private FeatureExport() {}

    /** Which features a file holds. */
    public enum Kind {
        /** The trained method's probe features ({@code Method.features}). */
        LEARNED,
        /** The preprocessed pixels, flattened. */
        RAW;

        public String cliName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Root attributes of an exported file.
     *
     * @param checkpoint the checkpoint file of the model
     * @param step its optimiser step, >= 0
     * @param data the dataset spec the features were computed from
     * @param trainerConfig the run's trainer configuration as JSON
     * @param featureKind "learned" or "raw" ({@link Kind#cliName()})
     */
    public record Attributes(String checkpoint, long step, String data, String trainerConfig, String featureKind) {
        public Attributes {
            if (checkpoint == null || data == null || trainerConfig == null || featureKind == null) {
                throw new IllegalArgumentException("featureExport attributes checkpoint, data,"
                        + " trainerConfig and featureKind must all be set");
            }
            if (step < 0) {
                throw new IllegalArgumentException("featureExport.step must be >= 0, got " + step);
            }
        }
    }

    /**
     * An exported file read back.
     *
     * @param rows N
     * @param dim F
     * @param features the (N, F) matrix, row-major; a copy on every access
     * @param labels N labels; a copy on every access
     * @param attributes the root attributes
     */
    public record Contents(int rows, int dim, float[] features, int[] labels, Attributes attributes) {
        public Contents {
            if (features.length != (long) rows * dim || labels.length != rows) {
                throw new IllegalArgumentException("featureExport contents: "
                        + features.length
                        + " feature values and "
                        + labels.length
                        + " labels do not fit "
                        + rows
                        + " x "
                        + dim);
            }
            features = features.clone();
            labels = labels.clone();
        }

        @Override
        public float[] features() {
            return features.clone();
        }

        @Override
        public int[] labels() {
            return labels.clone();
        }
    }

    /**
     * Writes {@code set} to {@code target}, replacing a file already there.
     *
     * @throws IllegalArgumentException if the directory of {@code target} does not exist
     * @throws IOException naming the target and the cause (for example "No space left on device") if
     *     the file cannot be written; the target is then left as it was
     */
    public static void write(Path target, FeatureSet set, Attributes attributes) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("cannot write " + target + ": directory " + dir + " does not exist");
        }
        int n = set.size();
        int f = set.dim();
        float[] values = new float[Math.multiplyExact(n, f)];
        float[][] rows = set.features().castTo(DataType.FLOAT).toFloatMatrix();
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows[i], 0, values, i * f, f);
        }
        int[] labels = set.labels();
        H5File built = Hdf5.locked(() -> {
            // The uncompressed size: the in-memory image then never grows.
            H5File h5 = Hdf5.createInMemory(absolute, 4L * values.length + 4L * n + (1 << 20));
            try {
                int rowsPerChunk = Math.max(1, Math.min(n, CHUNK_BYTES / (4 * f)));
                try (FloatPointer buffer = new FloatPointer(values)) {
                    writeDataset(
                            h5,
                            FEATURES,
                            PredType.IEEE_F32LE(),
                            PredType.NATIVE_FLOAT(),
                            new long[] {n, f},
                            new long[] {rowsPerChunk, f},
                            buffer);
                }
                try (IntPointer buffer = new IntPointer(labels)) {
                    writeDataset(
                            h5,
                            LABELS,
                            PredType.STD_I32LE(),
                            PredType.NATIVE_INT32(),
                            new long[] {n},
                            new long[] {Math.min(n, LABEL_CHUNK)},
                            buffer);
                }
                writeString(h5, "checkpoint", attributes.checkpoint());
                writeLong(h5, "step", attributes.step());
                writeString(h5, "data", attributes.data());
                writeString(h5, "trainer_config", attributes.trainerConfig());
                writeString(h5, "feature_kind", attributes.featureKind());
                return h5;
            } catch (RuntimeException e) {
                h5.close();
                throw new IOException("cannot write HDF5 file " + absolute + ": " + e.getMessage(), e);
            }
        });
        Hdf5.commit(built, absolute);
    }

    private static void writeDataset(
            H5File h5, String name, PredType fileType, PredType memoryType, long[] dims, long[] chunk, Pointer buffer) {
        try (DataSpace space = new DataSpace(dims.length, dims);
                DSetCreatPropList plist = new DSetCreatPropList()) {
            plist.setChunk(chunk.length, chunk);
            plist.setDeflate(DEFLATE_LEVEL);
            try (DataSet dataset = h5.createDataSet(
                    name, fileType, space, plist, DSetAccPropList.DEFAULT(), LinkCreatPropList.DEFAULT())) {
                dataset.write(buffer, memoryType);
                // Throws on failure, where the destructor would only print it.
                dataset._close();
            }
        }
    }

    /** A fixed-length UTF-8 string: readable by h5py and any HDF5 tool, unlike a C++ std::string. */
    private static void writeString(H5File h5, String name, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        try (StrType type = new StrType(PredType.C_S1(), Math.max(1, bytes.length));
                DataSpace scalar = new DataSpace(H5S_SCALAR)) {
            type.setCset(H5T_CSET_UTF8);
            type.setStrpad(H5T_STR_NULLPAD);
            try (Attribute attribute = h5.createAttribute(name, type, scalar);
                    BytePointer buffer = new BytePointer(Math.max(1, bytes.length))) {
                buffer.put(bytes);
                attribute.write(type, (Pointer) buffer);
                attribute._close();
            }
        }
    }

    private static void writeLong(H5File h5, String name, long value) {
        try (DataSpace scalar = new DataSpace(H5S_SCALAR);
                Attribute attribute = h5.createAttribute(name, PredType.STD_I64LE(), scalar);
                LongPointer buffer = new LongPointer(1)) {
            buffer.put(value);
            attribute.write(PredType.NATIVE_INT64(), (Pointer) buffer);
            attribute._close();
        }
    }

    /**
     * Reads a file {@link #write} wrote.
     *
     * @throws IOException naming the file and the dataset or attribute that is missing or malformed
     */
    public static Contents read(Path file) throws IOException {
        return Hdf5.locked(() -> {
            H5File h5;
            try {
                h5 = new H5File(file.toString(), H5F_ACC_RDONLY);
            } catch (RuntimeException e) {
                throw new IOException(file + ": not a readable HDF5 file: " + e.getMessage(), e);
            }
            try (h5) {
                long[] dims;
                float[] features;
                try (DataSet dataset = open(h5, file, FEATURES)) {
                    dims = dims(dataset);
                    if (dims.length != 2 || dataset.asAbstractDs().getTypeClass() != H5T_FLOAT) {
                        throw new IOException(file
                                + ": dataset '"
                                + FEATURES
                                + "' must be a 2-D float"
                                + " array, got "
                                + Arrays.toString(dims)
                                + " of type class "
                                + dataset.asAbstractDs().getTypeClass());
                    }
                    features = new float[Math.toIntExact(dims[0] * dims[1])];
                    try (FloatPointer buffer = new FloatPointer(features.length)) {
                        dataset.read(buffer, PredType.NATIVE_FLOAT());
                        buffer.get(features);
                    }
                }
                int[] labels;
                try (DataSet dataset = open(h5, file, LABELS)) {
                    long[] labelDims = dims(dataset);
                    if (labelDims.length != 1
                            || labelDims[0] != dims[0]
                            || dataset.asAbstractDs().getTypeClass() != H5T_INTEGER) {
                        throw new IOException(file
                                + ": dataset '"
                                + LABELS
                                + "' must be an integer array of"
                                + " length "
                                + dims[0]
                                + ", got "
                                + Arrays.toString(labelDims)
                                + " of type class "
                                + dataset.asAbstractDs().getTypeClass());
                    }
                    labels = new int[Math.toIntExact(dims[0])];
                    try (IntPointer buffer = new IntPointer(labels.length)) {
                        dataset.read(buffer, PredType.NATIVE_INT32());
                        buffer.get(labels);
                    }
                }
                Attributes attributes = new Attributes(
                        readString(h5, file, "checkpoint"),
                        readLong(h5, file, "step"),
                        readString(h5, file, "data"),
                        readString(h5, file, "trainer_config"),
                        readString(h5, file, "feature_kind"));
                return new Contents(Math.toIntExact(dims[0]), Math.toIntExact(dims[1]), features, labels, attributes);
            } catch (RuntimeException e) {
                throw new IOException(file + ": cannot read exported features: " + e.getMessage(), e);
            }
        });
    }

    private static DataSet open(H5File h5, Path file, String name) throws IOException {
        if (!h5.nameExists(name)) {
            throw new IOException(file + ": no dataset '" + name + "'");
        }
        return h5.openDataSet(name);
    }

    private static long[] dims(DataSet dataset) {
        try (DataSpace space = dataset.getSpace()) {
            long[] dims = new long[space.getSimpleExtentNdims()];
            space.getSimpleExtentDims(dims);
            return dims;
        }
    }

    private static Attribute attribute(H5File h5, Path file, String name) throws IOException {
        if (!h5.attrExists(name)) {
            throw new IOException(file + ": no root attribute '" + name + "'");
        }
        return h5.openAttribute(name);
    }

    private static String readString(H5File h5, Path file, String name) throws IOException {
        try (Attribute attribute = attribute(h5, file, name)) {
            if (attribute.getTypeClass() != H5T_STRING) {
                throw new IOException(file + ": attribute '" + name + "' must be a string");
            }
            try (StrType type = attribute.getStrType()) {
                int size = Math.toIntExact(type.getSize());
                byte[] bytes = new byte[size];
                try (BytePointer buffer = new BytePointer(size)) {
                    attribute.read(type, (Pointer) buffer);
                    buffer.get(bytes);
                }
                int end = size;
                while (end > 0 && bytes[end - 1] == 0) {
                    end--;
                }
                return new String(bytes, 0, end, StandardCharsets.UTF_8);
            }
        }
    }

    private static long readLong(H5File h5, Path file, String name) throws IOException {
        try (Attribute attribute = attribute(h5, file, name);
                LongPointer buffer = new LongPointer(1)) {
            if (attribute.getTypeClass() != H5T_INTEGER) {
                throw new IOException(file + ": attribute '" + name + "' must be an integer");
            }
            attribute.read(PredType.NATIVE_INT64(), (Pointer) buffer);
            return buffer.get();
        }
    }
}

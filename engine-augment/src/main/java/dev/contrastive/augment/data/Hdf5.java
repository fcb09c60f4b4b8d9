package dev.contrastive.augment.data;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_TRUNC;
import static org.bytedeco.hdf5.global.hdf5.H5F_SCOPE_GLOBAL;
import static org.bytedeco.hdf5.global.hdf5.H5Fget_file_image;
import static org.bytedeco.hdf5.global.hdf5.H5O_TYPE_DATASET;
import static org.bytedeco.hdf5.global.hdf5.H5T_INTEGER;
import static org.bytedeco.hdf5.global.hdf5.H5T_SGN_NONE;

import dev.contrastive.core.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.DataType;
import org.bytedeco.hdf5.FileAccPropList;
import org.bytedeco.hdf5.FileCreatPropList;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.IntType;
import org.bytedeco.javacpp.BytePointer;

/**
 * The one lock every HDF5 call in this JVM goes through, and small helpers that run under it.
 *
 * <p>Why one global lock: the libhdf5 bundled by javacpp-presets 1.12.1-1.5.7 is built without
 * {@code --enable-threadsafe} ({@code H5_HAVE_THREADSAFE} is undefined in its {@code H5pubconf.h}).
 * Its global state (identifier tables, free lists, the error stack, metadata and chunk caches) is
 * then unprotected, and two threads inside the library at once can corrupt memory even when they
 * use different files. So every call, including the C++ destructors that close handles, runs while
 * holding {@link #LOCK}. For the destructors that means every owned handle is closed explicitly
 * (try-with-resources) inside the lock, never left to JavaCPP's garbage-collector deallocator
 * thread.
 *
 * <p>{@link #locked} is public so that HDF5 code in other modules (feature export) shares this lock
 * rather than adding a second one, which would not exclude this module's calls.
 *
 * <p>Why files are written in memory ({@link #createInMemory}, {@link #commit}): when libhdf5 1.12
 * writes a file itself and the disk refuses (full, or a file-size limit), the write fails, and so
 * does the flush in H5Dclose and H5Fclose. A failed H5Fclose frees the file's shared state but
 * leaves its id registered; the C++ API's destructors only print "H5Fclose failed", so the caller
 * carries on (and used to rename the damaged file into place and report success), and at JVM exit
 * the library's atexit cleanup (H5close) visits that id and calls {@code H5F_get_nrefs} on the
 * freed state: SIGSEGV, exit 134. Nothing can close such an id again. So writers build the file
 * with the core driver and no backing store, where writes, flushes and closes never touch the disk;
 * its bytes then go to the disk through {@link AtomicFiles}, whose every write is checked and whose
 * failure leaves the target as it was.
 */
public final class Hdf5 {

    /** Reentrant so a helper may be called from a block that already holds it. */
    private static final ReentrantLock LOCK = new ReentrantLock();

    private static boolean initialised;

    private Hdf5() {}

    /** Work on HDF5 handles. */
    @FunctionalInterface
    public interface Body<T> {
        T run() throws IOException;
    }

    /** Runs {@code body} holding the HDF5 lock. */
    public static <T> T locked(Body<T> body) throws IOException {
        LOCK.lock();
        try {
            if (!initialised) {
                // The C++ API prints the whole HDF5 error stack to stderr before throwing; our exceptions
                // say what went wrong, so keep stderr clean.
                org.bytedeco.hdf5.Exception.dontPrint();
                initialised = true;
            }
            return body.run();
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Creates an empty HDF5 file in memory, to be written to {@code target} by {@link #commit}. Call
     * it holding the lock.
     *
     * @param increment bytes by which the in-memory image grows, about its expected size
     */
    public static H5File createInMemory(Path target, long increment) throws IOException {
        // Only a label inside libhdf5, which refuses two open files of one name: unique per call.
        String name = target.toAbsolutePath()
                + "."
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36)
                + ".in-memory";
        try (FileAccPropList access = new FileAccPropList()) {
            access.setCore(Math.max(1 << 16, increment), false);
            return new H5File(name, H5F_ACC_TRUNC, FileCreatPropList.DEFAULT(), access);
        } catch (RuntimeException e) {
            throw new IOException(
                    "cannot write HDF5 file " + target + ": creating it in memory failed: " + e.getMessage(), e);
        }
    }

    /**
     * Closes {@code file}, made by {@link #createInMemory}, and writes its bytes to {@code target}
     * with {@link AtomicFiles}. Every object in the file must be closed already (a dataset's {@code
     * _close()}, which throws on failure where its destructor only prints). The file is closed
     * whether or not this succeeds; the target is replaced only by the complete file.
     *
     * @throws IOException naming {@code target} and the cause
     */
    public static void commit(H5File file, Path target) throws IOException {
        commit(file, target, UnaryOperator.identity());
    }

    /** {@link #commit(H5File, Path)} with the stream to the disk decorated: tests make it fail. */
    static void commit(H5File file, Path target, UnaryOperator<OutputStream> decorate) throws IOException {
        BytePointer image = locked(() -> {
            BytePointer bytes = null;
            try (file) {
                file.flush(H5F_SCOPE_GLOBAL);
                long size = H5Fget_file_image(file.getId(), null, 0);
                if (size <= 0) {
                    throw new IOException("H5Fget_file_image returned " + size);
                }
                bytes = new BytePointer(size);
                long copied = H5Fget_file_image(file.getId(), bytes, size);
                if (copied != size) {
                    throw new IOException("H5Fget_file_image copied " + copied + " of " + size + " bytes");
                }
                file._close();
                return bytes;
            } catch (IOException | RuntimeException e) {
                if (bytes != null) {
                    bytes.close();
                }
                throw new IOException("cannot write HDF5 file " + target + ": " + e.getMessage(), e);
            }
        });
        try (image) {
            AtomicFiles.write(target, out -> {
                OutputStream sink = decorate.apply(out);
                byte[] chunk = new byte[(int) Math.min(image.capacity(), 1 << 20)];
                for (long at = 0; at < image.capacity(); at += chunk.length) {
                    int n = (int) Math.min(chunk.length, image.capacity() - at);
                    image.position(at).get(chunk, 0, n);
                    sink.write(chunk, 0, n);
                }
                sink.flush();
            });
        }
    }

    /** Whether {@code path} names a dataset in {@code file}; false for a group or a missing link. */
    static boolean isDataset(H5File file, String path) {
        // nameExists fails (rather than answering false) when an intermediate group is missing, so walk
        // the path one link at a time.
        StringBuilder prefix = new StringBuilder();
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (prefix.length() > 0) {
                prefix.append('/');
            }
            prefix.append(part);
            if (!file.nameExists(prefix.toString())) {
                return false;
            }
        }
        return file.childObjType(path) == H5O_TYPE_DATASET;
    }

    /** The dimensions of a dataset. */
    static long[] dims(DataSet dataset) {
        try (DataSpace space = dataset.getSpace()) {
            long[] dims = new long[space.getSimpleExtentNdims()];
            space.getSimpleExtentDims(dims);
            return dims;
        }
    }

    /** The element type of a dataset, in words: "unsigned 8-bit integer", "32-bit float", ... */
    static String describeType(DataSet dataset) {
        try (DataType type = dataset.asAbstractDs().getDataType()) {
            int typeClass = type._getClass();
            long bits = 8 * type.getSize();
            if (typeClass == H5T_INTEGER) {
                try (IntType integer = new IntType(dataset)) {
                    boolean unsigned = integer.getSign() == H5T_SGN_NONE;
                    return (unsigned ? "unsigned " : "signed ") + bits + "-bit integer";
                }
            }
            return bits + "-bit " + typeClassName(typeClass);
        }
    }

    private static String typeClassName(int typeClass) {
        return switch (typeClass) {
            case 1 -> "float";
            case 2 -> "time";
            case 3 -> "string";
            case 4 -> "bitfield";
            case 5 -> "opaque";
            case 6 -> "compound";
            case 7 -> "reference";
            case 8 -> "enum";
            case 9 -> "variable-length";
            case 10 -> "array";
            default -> "type class " + typeClass;
        };
    }
}

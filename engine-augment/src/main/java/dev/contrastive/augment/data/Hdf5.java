package dev.contrastive.augment.data;

import static org.bytedeco.hdf5.global.hdf5.H5O_TYPE_DATASET;
import static org.bytedeco.hdf5.global.hdf5.H5T_INTEGER;
import static org.bytedeco.hdf5.global.hdf5.H5T_SGN_NONE;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.DataType;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.IntType;

/**
 * The one lock every HDF5 call in this JVM goes through, and small helpers that run under it.
 *
 * <p>Why one global lock: the libhdf5 bundled by javacpp-presets 1.12.1-1.5.7 is built without
 * {@code --enable-threadsafe} ({@code H5_HAVE_THREADSAFE} is undefined in its {@code H5pubconf.h}).
 * Its global state (identifier tables, free lists, the error stack, metadata and chunk caches) is then
 * unprotected, and two threads inside the library at once can corrupt memory even when they use
 * different files. So every call, including the C++ destructors that close handles, runs while
 * holding {@link #LOCK}. For the destructors that means every owned handle is closed explicitly
 * (try-with-resources) inside the lock, never left to JavaCPP's garbage-collector deallocator thread.
 *
 * <p>{@link #locked} is public so that HDF5 code in other modules (feature export) shares this lock
 * rather than adding a second one, which would not exclude this module's calls.
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

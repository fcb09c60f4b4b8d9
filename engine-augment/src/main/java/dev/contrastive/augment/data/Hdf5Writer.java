package dev.contrastive.augment.data;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_EXCL;
import static org.bytedeco.hdf5.global.hdf5.H5S_SELECT_SET;
import static org.bytedeco.hdf5.global.hdf5.H5S_UNLIMITED;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
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
 * for a labeled file, an int32 N dataset, both chunked along N, extendible (so N need not be known in
 * advance) and deflate-compressed as {@link Hdf5WriteOptions} says.
 *
 * <p>The file is written beside the target under a temporary name and renamed into place by {@link
 * #commit}, so the target is complete or untouched: {@link #close} without {@code commit} (an
 * exception in a try-with-resources block) deletes the temporary file. Images are buffered a whole
 * chunk at a time, so each chunk is compressed once.
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

  private final Path target;
  private final Path temp;
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
      Path target, Path temp, int channels, int height, int width, int chunkImages, H5File file,
      DataSet images, DataSet labels) {
    this.target = target;
    this.temp = temp;
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
      Path target, int channels, int height, int width, boolean labeled,
      Hdf5WriteOptions options) throws IOException {
    Objects.requireNonNull(options, "options");
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("hdf5.channels must be 1 or 3, got " + channels);
    }
    if (height < 1 || width < 1 || (long) channels * height * width > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "hdf5.height and hdf5.width must be >= 1 with C x H x W below 2^31, got "
              + height + " x " + width);
    }
    Path absolute = target.toAbsolutePath();
    // Beside the target, so the final rename stays on one file system and is atomic.
    Path temp =
        absolute.resolveSibling(
            "." + absolute.getFileName() + "."
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
    int imageBytes = channels * height * width;
    int chunkImages = Math.max(1, options.chunkBytes() / imageBytes);
    Hdf5Layout layout = options.layout();
    return Hdf5.locked(
        () -> {
          H5File h5;
          try {
            h5 = new H5File(temp.toString(), H5F_ACC_EXCL);
          } catch (RuntimeException e) {
            throw new IOException("cannot create HDF5 file " + temp + ": " + e.getMessage(), e);
          }
          DataSet imageSet = null;
          try {
            imageSet =
                create(h5, layout.images(), PredType.STD_U8LE(),
                    new long[] {0, channels, height, width},
                    new long[] {chunkImages, channels, height, width}, options.deflateLevel());
            DataSet labelSet =
                labeled
                    ? create(h5, layout.labels(), PredType.STD_I32LE(), new long[] {0},
                        new long[] {LABEL_CHUNK}, options.deflateLevel())
                    : null;
            return new Hdf5Writer(
                absolute, temp, channels, height, width, chunkImages, h5, imageSet, labelSet);
          } catch (RuntimeException e) {
            if (imageSet != null) {
              imageSet.close();
            }
            h5.close();
            Files.deleteIfExists(temp);
            throw e;
          }
        });
  }

  /** An extendible, chunked, compressed dataset at {@code path}, creating missing groups. */
  private static DataSet create(
      H5File h5, String path, PredType type, long[] dims, long[] chunk, int deflateLevel) {
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
      return h5.createDataSet(
          path, type, space, plist, DSetAccPropList.DEFAULT(), LinkCreatPropList.DEFAULT());
    }
  }

  /** Appends one image; it must have this file's shape, and a label if the file is labeled. */
  public void append(Image image) throws IOException {
    if (finished) {
      throw new IllegalStateException("writer of " + target + " is already committed or closed");
    }
    if (image.channels() != channels || image.height() != height || image.width() != width) {
      throw new IllegalArgumentException(
          "image " + count() + " is " + image.channels() + " x " + image.height() + " x "
              + image.width() + ", the file holds " + channels + " x " + height + " x " + width);
    }
    if (labels != null) {
      if (image.label() == Image.UNLABELED) {
        throw new IllegalArgumentException(
            "image " + count() + " has no label, but the file is labeled");
      }
      pendingLabels[pendingLabelCount++] = image.label();
      if (pendingLabelCount == pendingLabels.length) {
        flushLabels();
      }
    }
    System.arraycopy(
        image.pixels(), 0, pendingImages, pendingImageCount * imageBytes, imageBytes);
    pendingImageCount++;
    if (pendingImageCount * imageBytes == pendingImages.length) {
      flushImages();
    }
  }

  /** Images appended so far. */
  public long count() {
    return imagesWritten + pendingImageCount;
  }

  /** Writes what is buffered, closes the file and renames it to the target. */
  public void commit() throws IOException {
    if (finished) {
      throw new IllegalStateException("writer of " + target + " is already committed or closed");
    }
    flushImages();
    if (labels != null) {
      flushLabels();
    }
    closeHandles();
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
  }

  /** Discards the file unless {@link #commit} succeeded; the target is left as it was. */
  @Override
  public void close() throws IOException {
    if (!finished) {
      try {
        closeHandles();
      } finally {
        Files.deleteIfExists(temp);
      }
    }
  }

  private void closeHandles() throws IOException {
    finished = true;
    Hdf5.locked(
        () -> {
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

  private void flushImages() throws IOException {
    if (pendingImageCount > 0) {
      long first = imagesWritten;
      int count = pendingImageCount;
      try (BytePointer buffer = new BytePointer((long) count * imageBytes)) {
        buffer.put(pendingImages, 0, count * imageBytes);
        writeRows(images, buffer, PredType.NATIVE_UINT8(), first, count,
            new long[] {channels, height, width});
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
  private static void writeRows(
      DataSet dataset, Pointer buffer, PredType memoryType, long first, int count, long[] rowShape)
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
    Hdf5.locked(
        () -> {
          dataset.extend(extent);
          try (DataSpace fileSpace = dataset.getSpace();
              DataSpace memorySpace = new DataSpace(1, new long[] {total})) {
            // The C++ API takes (count, start), in that order.
            fileSpace.selectHyperslab(H5S_SELECT_SET, block, start);
            dataset.write(
                buffer, memoryType, memorySpace, fileSpace, DSetMemXferPropList.DEFAULT());
          }
          return null;
        });
  }

  /** Writes every image of {@code source}, streaming, to {@code target}. */
  public static void write(Path target, Dataset source, Hdf5WriteOptions options)
      throws IOException {
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

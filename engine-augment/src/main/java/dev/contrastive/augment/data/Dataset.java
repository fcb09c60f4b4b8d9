package dev.contrastive.augment.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;

/**
 * A finite set of images of one shape, with random access and a streaming mode.
 *
 * <p>Implementations read real formats (IDX, CIFAR binary, STL-10 binary, HDF5, image folders) or
 * hold arrays in memory ({@link InMemoryDataset}). {@link #get} may read from disk; {@link #stream}
 * reads sequentially, for files bigger than memory. Thread safety is per implementation and
 * documented there (HDF5 serialises access).
 */
public interface Dataset extends AutoCloseable {

    /** Name, image shape, number of classes and size. */
    DatasetInfo info();

    /** Number of images. */
    default int size() {
        return info().size();
    }

    /**
     * Image {@code index}, in [0, size).
     *
     * @throws UncheckedIOException if the underlying file cannot be read
     */
    Image get(int index);

    /** Every image in index order, read sequentially. */
    default Iterator<Image> stream() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size();
            }

            @Override
            public Image next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException(
                            "dataset " + info().name() + " has " + size() + " images");
                }
                return get(next++);
            }
        };
    }

    @Override
    void close() throws IOException;
}

package dev.contrastive.augment.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * What the datasets here share: a fixed {@link DatasetInfo} and a {@link #get} that checks the index
 * before {@link #read} reads the image.
 */
abstract class AbstractDataset implements Dataset {

    final DatasetInfo info;

    AbstractDataset(DatasetInfo info) {
        this.info = info;
    }

    @Override
    public final DatasetInfo info() {
        return info;
    }

    @Override
    public final Image get(int index) {
        Objects.checkIndex(index, info.size());
        return read(index);
    }

    /** Image {@code index}, already checked to be in [0, size). */
    abstract Image read(int index);

    /**
     * A {@link #stream} iterator: every image in index order, each made by {@link #readNext}, which
     * may read ahead in blocks since it sees the indices one after another.
     */
    abstract class InOrder implements Iterator<Image> {

        private int next;

        @Override
        public final boolean hasNext() {
            return next < info.size();
        }

        @Override
        public final Image next() {
            if (!hasNext()) {
                throw new NoSuchElementException("dataset " + info.name() + " has " + info.size() + " images");
            }
            return readNext(next++);
        }

        /** Image {@code index}, called for 0, 1, 2, ... in turn. */
        abstract Image readNext(int index);
    }
}

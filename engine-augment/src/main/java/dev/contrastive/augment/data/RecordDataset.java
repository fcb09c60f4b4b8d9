package dev.contrastive.augment.data;

import dev.contrastive.core.io.Closeables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * A dataset stored as fixed-size records in one or more files (IDX, CIFAR, STL-10): random access
 * by positional reads, streaming by reading about {@value #STREAM_BLOCK_BYTES} bytes of whole
 * records at a time. {@link #get} is safe from several threads; each {@link #stream} iterator
 * belongs to one thread.
 */
abstract class RecordDataset extends AbstractDataset {

    /** Big enough that a stream makes few system calls, small enough to stay out of the way. */
    static final int STREAM_BLOCK_BYTES = 1 << 20;

    private final RecordFile[] parts;

    /**
     * starts[p] = index of the first record of parts[p] in the dataset; starts[parts.length] = size.
     */
    private final long[] starts;

    RecordDataset(DatasetInfo info, List<RecordFile> parts) {
        super(info);
        this.parts = parts.toArray(RecordFile[]::new);
        this.starts = new long[this.parts.length + 1];
        for (int p = 0; p < this.parts.length; p++) {
            starts[p + 1] = starts[p] + this.parts[p].records();
        }
        if (starts[this.parts.length] != info.size()) {
            throw new IllegalStateException(
                    "record files hold " + starts[this.parts.length] + " records, info says " + info.size());
        }
    }

    /**
     * Image {@code index} from its record, {@code record[offset ..]} of {@code part}.
     *
     * @param indexInPart the record's index in {@code part}, for byte offsets in messages
     */
    abstract Image decode(int index, RecordFile part, long indexInPart, byte[] record, int offset);

    /** Throws {@link DatasetFormatException} if the dataset has more records than an int counts. */
    static int checkedSize(String source, long records) {
        if (records > Integer.MAX_VALUE) {
            throw new DatasetFormatException(
                    source,
                    "record count",
                    "at most " + Integer.MAX_VALUE + " images (the Dataset limit)",
                    records + " images");
        }
        return (int) records;
    }

    @Override
    Image read(int index) {
        int p = Arrays.binarySearch(starts, index);
        // An exact hit is the first record of part p, unless empty parts share that start: take the
        // last part starting there, the one that holds records. A miss gives -(insertion point) - 1.
        p = p >= 0 ? lastPartStartingAt(p) : -p - 2;
        RecordFile part = parts[p];
        long local = index - starts[p];
        byte[] record = new byte[part.recordBytes()];
        try {
            part.read(local, 1, record);
        } catch (IOException e) {
            throw new UncheckedIOException("reading image " + index + " of " + info.name(), e);
        }
        return decode(index, part, local, record, 0);
    }

    private int lastPartStartingAt(int p) {
        while (p + 1 < parts.length && starts[p + 1] == starts[p]) {
            p++;
        }
        return p;
    }

    @Override
    public Iterator<Image> stream() {
        return new InOrder() {
            private int part;
            private long nextInPart;
            private byte[] block = new byte[0];
            private int blockRecords;
            private int blockPosition;
            private long blockStart;

            @Override
            Image readNext(int index) {
                if (blockPosition == blockRecords) {
                    fill(index);
                }
                RecordFile file = parts[part];
                Image image =
                        decode(index, file, blockStart + blockPosition, block, blockPosition * file.recordBytes());
                blockPosition++;
                return image;
            }

            /** Reads the next block of records, the first of them image {@code index}. */
            private void fill(int index) {
                while (nextInPart == parts[part].records()) {
                    part++;
                    nextInPart = 0;
                }
                RecordFile file = parts[part];
                int perBlock = Math.max(1, STREAM_BLOCK_BYTES / file.recordBytes());
                int count = (int) Math.min(perBlock, file.records() - nextInPart);
                if (block.length < count * file.recordBytes()) {
                    block = new byte[perBlock * file.recordBytes()];
                }
                try {
                    file.read(nextInPart, count, block);
                } catch (IOException e) {
                    throw new UncheckedIOException("streaming image " + index + " of " + info.name(), e);
                }
                blockStart = nextInPart;
                blockRecords = count;
                blockPosition = 0;
                nextInPart += count;
            }
        };
    }

    @Override
    public void close() throws IOException {
        Closeables.closeAll(Arrays.asList(parts), IOException.class, RecordFile::close);
    }
}

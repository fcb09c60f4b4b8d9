package dev.contrastive.augment.data;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Fixed-size records after a header in one file: the layout of IDX, CIFAR and STL-10 binaries.
 *
 * <p>All reads are positional ({@link FileChannel#read(ByteBuffer, long)}): they never move a
 * shared file position, so random access from several threads needs no lock and a stream running
 * beside random access does not disturb it.
 */
final class RecordFile implements Closeable {

    private final String source;
    private final FileChannel channel;
    private final long dataOffset;
    private final int recordBytes;
    private final long records;

    private RecordFile(String source, FileChannel channel, long dataOffset, int recordBytes, long records) {
        this.source = source;
        this.channel = channel;
        this.dataOffset = dataOffset;
        this.recordBytes = recordBytes;
        this.records = records;
    }

    /**
     * A file with no header whose size must be a whole number of records (CIFAR, STL-10). Takes
     * ownership of {@code channel}, closing it if the size is wrong.
     *
     * @param what the record kind for messages, e.g. "3073-byte CIFAR-10 records"
     */
    static RecordFile wholeRecords(String source, FileChannel channel, int recordBytes, String what)
            throws IOException {
        try {
            long size = channel.size();
            long remainder = size % recordBytes;
            if (remainder != 0) {
                throw new DatasetFormatException(
                        source,
                        "record " + size / recordBytes + " (offset " + (size - remainder) + ")",
                        "a whole number of " + what + " (file size a multiple of " + recordBytes + ")",
                        remainder + " of " + recordBytes + " bytes: the file is truncated (size " + size + ")");
            }
            return new RecordFile(source, channel, 0, recordBytes, size / recordBytes);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Opens {@code file} read-only as {@link #wholeRecords(String, FileChannel, int, String)}. */
    static RecordFile wholeRecords(Path file, int recordBytes, String what) throws IOException {
        return wholeRecords(file.toString(), FileChannel.open(file, StandardOpenOption.READ), recordBytes, what);
    }

    /**
     * A file whose header declares the record count (IDX): its size must be exactly {@code dataOffset
     * + records * recordBytes}. Takes ownership of {@code channel}, closing it if the size is wrong.
     */
    static RecordFile declared(String source, FileChannel channel, long dataOffset, int recordBytes, long records)
            throws IOException {
        try {
            long expected = dataOffset + records * recordBytes;
            long size = channel.size();
            if (size != expected) {
                throw new DatasetFormatException(
                        source,
                        "file size",
                        expected
                                + " bytes ("
                                + dataOffset
                                + "-byte header + "
                                + records
                                + " records x "
                                + recordBytes
                                + " bytes, as the header declares)",
                        size + (size < expected ? " bytes: the file is truncated" : " bytes: trailing data"));
            }
            return new RecordFile(source, channel, dataOffset, recordBytes, records);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * The first {@code bytes} bytes of {@code channel}, big-endian.
     *
     * @param format the header kind for messages, e.g. "IDX image header"
     */
    static ByteBuffer header(String source, FileChannel channel, int bytes, String format) throws IOException {
        long size = channel.size();
        if (size < bytes) {
            throw new DatasetFormatException(
                    source, "header (offset 0)", bytes + " bytes of " + format, size + " bytes: the file is truncated");
        }
        ByteBuffer header = ByteBuffer.allocate(bytes);
        readFully(source, channel, header, 0);
        return header.flip();
    }

    String source() {
        return source;
    }

    long records() {
        return records;
    }

    int recordBytes() {
        return recordBytes;
    }

    /** Byte offset of record {@code index} in the file. */
    long offsetOf(long index) {
        return dataOffset + index * recordBytes;
    }

    /** Reads records [first, first + count) into {@code dst} from its start. */
    void read(long first, int count, byte[] dst) throws IOException {
        readFully(source, channel, ByteBuffer.wrap(dst, 0, count * recordBytes), offsetOf(first));
    }

    private static void readFully(String source, FileChannel channel, ByteBuffer dst, long position)
            throws IOException {
        long start = position;
        int wanted = dst.remaining();
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position);
            if (n < 0) {
                // Sizes were checked at open, so only a file changed underneath us gets here.
                throw new DatasetFormatException(
                        source,
                        "offset " + start,
                        wanted + " bytes",
                        (position - start)
                                + " bytes before end of file (was the file truncated after it was"
                                + " opened?)");
            }
            position += n;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

package dev.contrastive.augment.data;

/**
 * A dataset file that a reader cannot accept. The message names the source (a file, or a resource
 * for the embedded data), where in it the problem is (a byte offset, a header field, an HDF5
 * dataset), what was expected and what was found.
 *
 * <p>Readers check structure (magic numbers, sizes, counts, ranks, types) when they open, so a
 * malformed file fails before any image is handed out. Values that can only be checked by reading
 * every record (a CIFAR label byte, an image in a folder that does not decode) fail when that
 * record is read, before the image is returned.
 */
public final class DatasetFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String source;

    /**
     * @param source the file or resource
     * @param where the byte offset, field or dataset, e.g. "magic number (offset 0)"
     * @param expected what the format requires
     * @param found what the file holds
     */
    public DatasetFormatException(String source, String where, String expected, String found) {
        super(source + ": " + where + ": expected " + expected + ", found " + found);
        this.source = source;
    }

    /** The file or resource that was rejected. */
    public String source() {
        return source;
    }
}

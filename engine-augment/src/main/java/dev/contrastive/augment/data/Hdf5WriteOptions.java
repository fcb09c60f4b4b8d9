package dev.contrastive.augment.data;

/**
 * How {@link Hdf5Writer} stores a dataset: chunked along the image axis, each chunk deflate (gzip)
 * compressed.
 *
 * @param layout dataset paths
 * @param deflateLevel zlib level in [0, 9]; 0 stores chunks uncompressed
 * @param chunkBytes target chunk size in bytes, in [1, 2^30]; a chunk holds max(1, chunkBytes / (C
 *     * H * W)) whole images, so a chunk never splits an image
 */
public record Hdf5WriteOptions(Hdf5Layout layout, int deflateLevel, int chunkBytes) {

    /** HDF5 caps a chunk below 4 GiB; far smaller chunks are always the better choice anyway. */
    static final int MAX_CHUNK_BYTES = 1 << 30;

    public Hdf5WriteOptions {
        if (layout == null) {
            throw new IllegalArgumentException("hdf5.layout must not be null");
        }
        if (deflateLevel < 0 || deflateLevel > 9) {
            throw new IllegalArgumentException("hdf5.deflateLevel must be in [0, 9], got " + deflateLevel);
        }
        if (chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException(
                    "hdf5.chunkBytes must be in [1, " + MAX_CHUNK_BYTES + "], got " + chunkBytes);
        }
    }

    /**
     * Default layout, deflate level 6 (zlib's default), 512 KiB chunks: half of HDF5's default 1 MiB
     * chunk cache per open dataset, so the chunk being read and its neighbour stay decompressed in
     * the cache and reading images one by one inflates each chunk once.
     */
    public static Hdf5WriteOptions defaults() {
        return new Hdf5WriteOptions(Hdf5Layout.defaults(), 6, 1 << 19);
    }

    public Hdf5WriteOptions withLayout(Hdf5Layout l) {
        return new Hdf5WriteOptions(l, deflateLevel, chunkBytes);
    }

    public Hdf5WriteOptions withDeflateLevel(int level) {
        return new Hdf5WriteOptions(layout, level, chunkBytes);
    }

    public Hdf5WriteOptions withChunkBytes(int bytes) {
        return new Hdf5WriteOptions(layout, deflateLevel, bytes);
    }
}

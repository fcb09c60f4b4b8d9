package dev.contrastive.augment.data;

/**
 * Where the arrays live in an HDF5 file.
 *
 * @param images path of the uint8 N x C x H x W images dataset, e.g. "images" or "train/images"
 * @param labels path of the integer N labels dataset; the file is unlabeled when it does not exist
 */
public record Hdf5Layout(String images, String labels) {

    public Hdf5Layout {
        check("hdf5.images", images);
        check("hdf5.labels", labels);
        if (images.equals(labels)) {
            throw new IllegalArgumentException("hdf5.images and hdf5.labels must differ, both are '" + images + "'");
        }
    }

    private static void check(String field, String path) {
        if (path == null || path.isBlank() || path.startsWith("/") || path.endsWith("/") || path.contains("//")) {
            throw new IllegalArgumentException(field
                    + " must be a relative dataset path like 'images' or 'train/images', got "
                    + (path == null ? "null" : "'" + path + "'"));
        }
    }

    /** "images" and "labels" at the root of the file. */
    public static Hdf5Layout defaults() {
        return new Hdf5Layout("images", "labels");
    }
}

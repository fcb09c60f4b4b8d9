package dev.contrastive.models.method;

import dev.contrastive.augment.data.DatasetInfo;
import dev.contrastive.augment.transform.ItemShape;

/**
 * The data shapes the methods' defaults know: Fashion-MNIST (1 x 28 x 28), CIFAR (3 x 32 x 32) and
 * STL-10 (3 x 96 x 96). Other data trains with an explicitly chosen preset.
 */
public final class DataShapes {

    private DataShapes() {}

    /**
     * The preset {@code method} trains {@code data} with by default: one per known shape.
     *
     * @throws IllegalArgumentException naming the shape and the known ones
     */
    public static String presetFor(String method, DatasetInfo data, String fashion, String cifar, String stl) {
        int c = data.channels();
        int h = data.height();
        int w = data.width();
        if (c == 1 && h == 28 && w == 28) {
            return fashion;
        }
        if (c == 3 && h == 32 && w == 32) {
            return cifar;
        }
        if (c == 3 && h == 96 && w == 96) {
            return stl;
        }
        throw new IllegalArgumentException(method
                + " has no default preset for '"
                + data.name()
                + "' ("
                + c
                + " x "
                + h
                + " x "
                + w
                + "); the defaults cover 1 x 28 x 28 ("
                + fashion
                + "), 3 x 32 x 32 ("
                + cifar
                + ") and 3 x 96 x 96 ("
                + stl
                + "): name a preset that makes this data's views");
    }

    /** The side of a square whole image, or an error naming {@code method} and the shape. */
    public static int squareSide(ItemShape image, String method) {
        if (image.patches() != 1 || image.height() != image.width()) {
            throw new IllegalArgumentException(method + " needs square whole images, got " + image);
        }
        return image.height();
    }
}

package dev.contrastive.augment.transform;

/**
 * The shape of what one dataset image becomes: {@code patches} rows of (C, H, W) each. A whole
 * image is one row; {@link Patchify} turns it into one row per patch.
 *
 * @param patches rows per image, >= 1
 * @param channels C, >= 1
 * @param height H, >= 1
 * @param width W, >= 1
 */
public record ItemShape(int patches, int channels, int height, int width) {

    public ItemShape {
        if (patches < 1) {
            throw new IllegalArgumentException("shape.patches must be >= 1, got " + patches);
        }
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("shape.channels, shape.height and shape.width must be >= 1, got "
                    + channels
                    + " x "
                    + height
                    + " x "
                    + width);
        }
    }

    /** A whole image of (C, H, W). */
    public static ItemShape image(int channels, int height, int width) {
        return new ItemShape(1, channels, height, width);
    }

    /** Floats in one row: C * H * W. */
    public int rowSize() {
        return channels * height * width;
    }

    @Override
    public String toString() {
        return (patches == 1 ? "" : patches + " x ") + channels + " x " + height + " x " + width;
    }
}

package dev.contrastive.augment.data;

import java.util.Arrays;

/**
 * One image as a dataset stores it: unsigned 8-bit pixels in channel-major (C, H, W) order, and its
 * class label, or {@link #UNLABELED}.
 *
 * @param pixels C * H * W bytes, read as unsigned ({@code pixels[i] & 0xFF})
 * @param channels C, 1 (grayscale) or 3 (RGB)
 * @param height H
 * @param width W
 * @param label class index in [0, classes), or {@link #UNLABELED}
 */
public record Image(byte[] pixels, int channels, int height, int width, int label) {

    public static final int UNLABELED = -1;

    public Image {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("image.channels must be 1 or 3, got " + channels);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException(
                    "image.height and image.width must be >= 1, got " + height + " x " + width);
        }
        if (pixels == null || pixels.length != channels * height * width) {
            throw new IllegalArgumentException("image.pixels has "
                    + (pixels == null ? 0 : pixels.length)
                    + " bytes, expected C*H*W = "
                    + channels * height * width);
        }
        if (label < UNLABELED) {
            throw new IllegalArgumentException("image.label must be >= -1, got " + label);
        }
    }

    /** Pixel (c, y, x) in [0, 255]. */
    public int pixel(int c, int y, int x) {
        return pixels[(c * height + y) * width + x] & 0xFF;
    }

    /** Whether this image is {@code channels} x {@code height} x {@code width}. */
    public boolean hasShape(int channels, int height, int width) {
        return this.channels == channels && this.height == height && this.width == width;
    }

    /** The shape as messages write it, "C x H x W". */
    public String describeShape() {
        return channels + " x " + height + " x " + width;
    }

    /**
     * Fails unless this image, element {@code what} of a list, has the shape of the list's first
     * image: the check of every consumer that takes its shape from {@code images[0]}.
     *
     * @param first the list's first image
     * @param what this image as the message names it, for example {@code "batch.images[3]"}
     */
    public void requireShapeOf(Image first, String what) {
        if (!hasShape(first.channels, first.height, first.width)) {
            throw new IllegalArgumentException(
                    what + " is " + describeShape() + ", expected " + first.describeShape() + " like images[0]");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Image other
                && channels == other.channels
                && height == other.height
                && width == other.width
                && label == other.label
                && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(pixels) + label;
    }

    @Override
    public String toString() {
        return "Image[" + channels + "x" + height + "x" + width + ", label " + label + "]";
    }
}

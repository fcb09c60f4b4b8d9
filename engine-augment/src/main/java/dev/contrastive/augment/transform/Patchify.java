package dev.contrastive.augment.transform;

import java.util.SplittableRandom;

/**
 * Cuts each image into a {@code grid} x {@code grid} array of overlapping square patches of side
 * {@code size}, {@code stride} pixels apart, then runs {@code perPatch} on the patches: CPC v2's
 * input, where every patch is encoded on its own and augmented on its own (colour dropping, flips,
 * jitter).
 *
 * <p>The image must be exactly covered: height = width = (grid - 1) * stride + size (CPC: 7 x 7
 * patches of 8 with stride 4 at 32 x 32, of 16 with stride 8 at 64 x 64). Patches are in row-major
 * grid order, as torch's {@code unfold} makes them, so image i's patch (gy, gx) is row i * grid^2 +
 * gy * grid + gx of the result. Each patch draws its randomness from its own stream, split in grid
 * order off its image's stream.
 *
 * @param grid patches per side, in [1, 64]
 * @param size patch side in pixels, >= 1
 * @param stride pixels between neighbouring patches, in [1, size]: CPC's patches overlap by half
 * @param perPatch applied to the (images * grid^2) patches; must keep the number of rows per image
 */
public record Patchify(int grid, int size, int stride, Transform perPatch) implements Transform {

    public Patchify {
        Checks.range("patchify.grid", grid, 1, 64);
        Checks.atLeast("patchify.size", size, 1);
        Checks.range("patchify.stride", stride, 1, size);
        if (perPatch == null) {
            throw new IllegalArgumentException(
                    "patchify.perPatch must not be null (Compose.of() for no per-patch augmentation)");
        }
    }

    /** Patches per image. */
    public int patches() {
        return grid * grid;
    }

    /** The side of the images this patchify covers exactly. */
    public int imageSize() {
        return (grid - 1) * stride + size;
    }

    @Override
    public ImageBatch apply(ImageBatch batch) {
        ItemShape patchShape = patchShape(batch.shape());
        int c = batch.channels();
        int h = batch.height();
        int w = batch.width();
        int count = patches();
        int rows = batch.rows() * count;
        float[] src = batch.data();
        float[] dst = new float[rows * patchShape.rowSize()];
        SplittableRandom[] streams = new SplittableRandom[rows];
        int out = 0;
        for (int r = 0; r < batch.rows(); r++) {
            int base = batch.offset(r);
            SplittableRandom imageStream = batch.random(r);
            for (int gy = 0; gy < grid; gy++) {
                for (int gx = 0; gx < grid; gx++) {
                    int row = r * count + gy * grid + gx;
                    streams[row] = imageStream.split();
                    for (int ch = 0; ch < c; ch++) {
                        for (int y = 0; y < size; y++) {
                            System.arraycopy(src, base + (ch * h + gy * stride + y) * w + gx * stride, dst, out, size);
                            out += size;
                        }
                    }
                }
            }
        }
        return perPatch.apply(new ImageBatch(dst, rows, patchShape, streams));
    }

    private ItemShape patchShape(ItemShape input) {
        if (input.patches() != 1) {
            throw new IllegalArgumentException(
                    "patchify needs whole images, got " + input.patches() + " patches per image");
        }
        int side = imageSize();
        if (input.height() != side || input.width() != side) {
            throw new IllegalArgumentException("patchify.grid "
                    + grid
                    + ", patchify.size "
                    + size
                    + " and patchify.stride "
                    + stride
                    + " cover "
                    + side
                    + " x "
                    + side
                    + " images exactly, got "
                    + input.height()
                    + " x "
                    + input.width());
        }
        return new ItemShape(patches(), input.channels(), size, size);
    }

    @Override
    public ItemShape outputShape(ItemShape input) {
        ItemShape patchShape = patchShape(input);
        ItemShape out = perPatch.outputShape(patchShape);
        if (out.patches() != patchShape.patches()) {
            throw new IllegalArgumentException("patchify.perPatch must keep "
                    + patchShape.patches()
                    + " patches per image, makes "
                    + out.patches());
        }
        return out;
    }
}

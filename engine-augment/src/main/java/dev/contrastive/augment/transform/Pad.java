package dev.contrastive.augment.transform;

import java.util.Arrays;

/**
 * Adds {@code amount} pixels of the constant {@code fill} on every side of each row. Not random: it
 * fits images to an encoder's input size (Fashion-MNIST's 28 x 28 to the 32 x 32 AMDIM encoder,
 * whose 7 x 7 and 5 x 5 taps need that size) without resampling them.
 *
 * @param amount pixels added on each side, in [0, 4096]
 * @param fill value of the added pixels, finite
 */
public record Pad(int amount, float fill) implements Transform {

    public Pad {
        Checks.range("pad.amount", amount, 0, 4096);
        if (!Float.isFinite(fill)) {
            throw new IllegalArgumentException("pad.fill must be finite, got " + fill);
        }
    }

    @Override
    public ImageBatch apply(ImageBatch batch) {
        // amount 0 keeps the shape, and the batch comes back as it is.
        ItemShape out = outputShape(batch.shape());
        int c = batch.channels();
        int h = batch.height();
        int w = batch.width();
        float[] src = batch.data();
        return batch.resampled(out, (r, dst, to) -> {
            int from = batch.offset(r);
            Arrays.fill(dst, to, to + out.rowSize(), fill);
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(
                            src,
                            from + (ch * h + y) * w,
                            dst,
                            to + (ch * out.height() + y + amount) * out.width() + amount,
                            w);
                }
            }
        });
    }

    @Override
    public ItemShape outputShape(ItemShape input) {
        return new ItemShape(
                input.patches(), input.channels(), input.height() + 2 * amount, input.width() + 2 * amount);
    }
}

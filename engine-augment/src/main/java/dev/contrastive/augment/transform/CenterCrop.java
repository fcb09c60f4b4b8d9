package dev.contrastive.augment.transform;

/**
 * Keeps the central {@code size} x {@code size} square of each row: torchvision's {@code
 * CenterCrop(size)}, the step after {@link Resize} in AMDIM's test transforms. Not random.
 *
 * <p>The top-left corner is (round((H - size) / 2), round((W - size) / 2)), rounding half to even
 * as torchvision's Python {@code round} does. Rows smaller than the crop are refused rather than
 * padded (newer torchvision pads them with zeros), because no preset needs it and a zero border
 * would silently shift the statistics the normalisation assumes.
 *
 * @param size side of the crop, >= 1
 */
public record CenterCrop(int size) implements Transform {

    public CenterCrop {
        Checks.atLeast("centercrop.size", size, 1);
    }

    @Override
    public ImageBatch apply(ImageBatch batch) {
        int c = batch.channels();
        int h = batch.height();
        int w = batch.width();
        // Math.rint rounds half to even, like Python's round.
        int top = (int) Math.rint((h - size) / 2.0);
        int left = (int) Math.rint((w - size) / 2.0);
        float[] src = batch.data();
        return batch.resampled(outputShape(batch.shape()), (r, dst, to) -> {
            int from = batch.offset(r);
            int at = to;
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < size; y++) {
                    System.arraycopy(src, from + (ch * h + top + y) * w + left, dst, at, size);
                    at += size;
                }
            }
        });
    }

    @Override
    public ItemShape outputShape(ItemShape input) {
        if (input.height() < size || input.width() < size) {
            throw new IllegalArgumentException(
                    "centercrop.size " + size + " needs images of at least " + size + " x " + size + ", got " + input);
        }
        return new ItemShape(input.patches(), input.channels(), size, size);
    }
}

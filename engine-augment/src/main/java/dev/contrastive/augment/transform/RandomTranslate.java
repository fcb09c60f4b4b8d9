package dev.contrastive.augment.transform;

/**
 * With probability {@code p}, shifts each row by (dx, dy), each drawn uniformly from the integers
 * in [-maxShift, maxShift], and fills the uncovered border by reflecting the image about its edge
 * pixels.
 *
 * <p>This is AMDIM's {@code RandomTranslateWithReflect}: it pastes mirrored copies of the image
 * around it, offset by size - 1, so the edge pixel is not repeated, and crops the shifted window.
 * Output pixel (y, x) is input pixel (reflect(y - dy), reflect(x - dx)).
 *
 * @param maxShift largest shift in pixels along each axis, >= 0; smaller than the image's height
 *     and width (checked against the batch), as with the reference, whose mirrored copies cover no
 *     more
 * @param p probability of translating a row, in [0, 1]
 */
public record RandomTranslate(int maxShift, double p) implements Transform {

    public RandomTranslate {
        Checks.atLeast("translate.maxShift", maxShift, 0);
        Checks.probability("translate.p", p);
    }

    @Override
    public ImageBatch apply(ImageBatch batch) {
        Checks.accepts(this, batch);
        int c = batch.channels();
        int h = batch.height();
        int w = batch.width();
        float[] d = batch.data();
        float[] copy = new float[batch.rowSize()];
        int[] sourceX = new int[w];
        return batch.changeRows(p, (base, random) -> {
            // The reference draws x then y.
            int dx = random.nextInt(-maxShift, maxShift + 1);
            int dy = random.nextInt(-maxShift, maxShift + 1);
            if (dx == 0 && dy == 0) {
                return;
            }
            System.arraycopy(d, base, copy, 0, copy.length);
            for (int x = 0; x < w; x++) {
                sourceX[x] = Checks.reflect(x - dx, w);
            }
            for (int ch = 0; ch < c; ch++) {
                int plane = ch * h * w;
                for (int y = 0; y < h; y++) {
                    int from = plane + Checks.reflect(y - dy, h) * w;
                    int to = base + plane + y * w;
                    for (int x = 0; x < w; x++) {
                        d[to + x] = copy[from + sourceX[x]];
                    }
                }
            }
        });
    }

    @Override
    public ItemShape outputShape(ItemShape input) {
        if (maxShift >= input.height() || maxShift >= input.width()) {
            throw new IllegalArgumentException("translate.maxShift must be < the image's height and width "
                    + input.height()
                    + " x "
                    + input.width()
                    + ", got "
                    + maxShift);
        }
        return input;
    }
}

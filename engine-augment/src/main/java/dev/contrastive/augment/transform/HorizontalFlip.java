package dev.contrastive.augment.transform;

/**
 * Mirrors each row left to right with probability {@code p}.
 *
 * <p>Whether the two views share the flip is decided by where it is placed: in a {@link
 * PairTransform}'s shared stage (AMDIM: the image is flipped, or not, before either view is made)
 * or in each view's own stage (independent flips).
 *
 * @param p probability of flipping a row, in [0, 1]
 */
public record HorizontalFlip(double p) implements Transform {

    public HorizontalFlip {
        Checks.probability("flip.p", p);
    }

    @Override
    public ImageBatch apply(ImageBatch batch) {
        float[] d = batch.data();
        int planes = batch.channels() * batch.height();
        int w = batch.width();
        return batch.changeRows(p, (base, random) -> {
            for (int line = 0; line < planes; line++) {
                int lo = base + line * w;
                int hi = lo + w - 1;
                while (lo < hi) {
                    float t = d[lo];
                    d[lo++] = d[hi];
                    d[hi--] = t;
                }
            }
        });
    }

    @Override
    public ItemShape outputShape(ItemShape input) {
        return input;
    }
}

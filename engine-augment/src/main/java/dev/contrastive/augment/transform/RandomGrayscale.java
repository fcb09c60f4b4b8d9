package dev.contrastive.augment.transform;

/**
 * With probability {@code p}, replaces each three-channel row by its luma in all three channels:
 * torchvision's {@code RandomGrayscale(p)}, which keeps the channel count. One-channel rows are
 * already gray and stay as they are.
 *
 * @param p probability of graying a row, in [0, 1]
 */
public record RandomGrayscale(double p) implements Transform {

    public RandomGrayscale {
        Checks.probability("grayscale.p", p);
    }

    /**
     * ITU-R 601-2 luma with PIL's weights (PIL's {@code convert("L")}, which AMDIM's PIL pipeline
     * ran; torchvision's tensor path uses 0.2989 for red).
     */
    static float luma(float r, float g, float b) {
        return 0.299f * r + 0.587f * g + 0.114f * b;
    }

    @Override
    public ImageBatch apply(ImageBatch batch) {
        if (batch.channels() != 3) {
            return batch;
        }
        float[] d = batch.data();
        int plane = batch.height() * batch.width();
        return batch.changeRows(p, (base, random) -> {
            for (int i = base; i < base + plane; i++) {
                float y = luma(d[i], d[i + plane], d[i + 2 * plane]);
                d[i] = y;
                d[i + plane] = y;
                d[i + 2 * plane] = y;
            }
        });
    }

    @Override
    public ItemShape outputShape(ItemShape input) {
        return input;
    }
}

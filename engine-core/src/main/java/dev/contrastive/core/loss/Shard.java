package dev.contrastive.core.loss;

/**
 * A contiguous range of anchor images, {@code [start, start + count)}, of a (gathered) batch of B
 * images: the part of a loss one data-parallel replica, or one micro-batch, computes.
 *
 * <p>A loss's shard form scores these anchors against every image of the batch and returns their
 * terms with the whole batch's normalisation, and the gradients they give every input row. Summed
 * over any partition of {@code [0, B)} ({@link LossResult#combine}), shard results are the full
 * call's result up to float rounding.
 *
 * @param start first anchor image, at least 0
 * @param count number of anchor images, at least 1; {@code start + count <= B} is checked by the
 *     loss, which knows B
 */
public record Shard(int start, int count) {

    public Shard {
        if (start < 0) {
            throw new IllegalArgumentException("shard.start must be >= 0, got " + start);
        }
        if (count < 1) {
            throw new IllegalArgumentException("shard.count must be >= 1, got " + count);
        }
    }

    /** Every image of a batch of {@code batch} images: the full call. */
    public static Shard all(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch size B must be >= 1, got " + batch);
        }
        return new Shard(0, batch);
    }

    /** One past the last anchor image. */
    public int end() {
        return start + count;
    }

    /** Fails unless every anchor image lies in a batch of {@code batch} images. */
    void requireWithin(int batch) {
        // long: start + count may overflow int for a shard that is wrong anyway
        if ((long) start + count > batch) {
            throw new IllegalArgumentException("shard ["
                    + start
                    + ", "
                    + ((long) start + count)
                    + ") must lie within the batch of B = "
                    + batch
                    + " images (start + count <= B)");
        }
    }
}

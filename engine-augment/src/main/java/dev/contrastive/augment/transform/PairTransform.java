package dev.contrastive.augment.transform;

/**
 * Makes two views of each image: {@code shared} runs once on the originals (AMDIM's flip, which
 * both views inherit), then {@code viewA} and {@code viewB} each run on their own copy with their
 * own random streams.
 *
 * <p>Streams: each row's stream (the image's) drives {@code shared}; then view A's stream is split
 * off it, then view B's. A view's randomness therefore depends only on the image's stream, whatever
 * the batch or thread.
 *
 * @param shared applied to the originals before they are copied into two views
 * @param viewA applied to the first copy
 * @param viewB applied to the second copy; must make the same shape as {@code viewA}
 */
public record PairTransform(Transform shared, Transform viewA, Transform viewB) {

    public PairTransform {
        if (shared == null || viewA == null || viewB == null) {
            throw new IllegalArgumentException(
                    "pair.shared, pair.viewA and pair.viewB must not be null" + " (Compose.of() is the identity)");
        }
    }

    /** Both views made by the same (randomly driven) transform, as in every published pipeline. */
    public static PairTransform symmetric(Transform shared, Transform view) {
        return new PairTransform(shared, view, view);
    }

    /** View A and view B of the images of {@code originals}, which this consumes. */
    public ViewPair apply(ImageBatch originals) {
        ImageBatch base = shared.apply(originals);
        ImageBatch a = base.fork();
        ImageBatch b = base.fork();
        return new ViewPair(viewA.apply(a), viewB.apply(b));
    }

    /**
     * The shape of each view made from images of shape {@code input}.
     *
     * @throws IllegalArgumentException if a step does not accept its input, or the views differ
     */
    public ItemShape outputShape(ItemShape input) {
        ItemShape base = shared.outputShape(input);
        ItemShape a = viewA.outputShape(base);
        ItemShape b = viewB.outputShape(base);
        if (!a.equals(b)) {
            throw new IllegalArgumentException(
                    "pair.viewA makes " + a + " and pair.viewB makes " + b + "; they must match");
        }
        return a;
    }

    /**
     * Two views of the same images, row for row.
     *
     * @param a view A
     * @param b view B
     */
    public record ViewPair(ImageBatch a, ImageBatch b) {}
}

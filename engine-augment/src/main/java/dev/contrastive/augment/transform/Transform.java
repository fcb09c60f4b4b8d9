package dev.contrastive.augment.transform;

/**
 * One augmentation step over a whole batch.
 *
 * <p>Implementations are immutable and safe to share between threads: every random number comes
 * from the batch's per-row streams ({@link ImageBatch#random(int)}), never from the transform.
 */
public interface Transform {

    /**
     * Transforms every row of {@code batch}. The batch is consumed: its pixels may be overwritten and
     * the returned batch may be the same object.
     *
     * @throws IllegalArgumentException if the batch's shape is not one this transform accepts
     */
    ImageBatch apply(ImageBatch batch);

    /**
     * The shape {@link #apply} makes from {@code input}, so that a pipeline can be checked against a
     * dataset before any image is read.
     *
     * @throws IllegalArgumentException naming the transform's field and the shape it needs, if {@code
     *     input} is not accepted
     */
    ItemShape outputShape(ItemShape input);
}

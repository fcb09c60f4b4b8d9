/**
 * Augmentations: small, composable, seeded {@link dev.contrastive.augment.transform.Transform}s
 * over whole batches, the {@link dev.contrastive.augment.transform.PairTransform} that makes two
 * views of each image, and the published pipelines in {@link
 * dev.contrastive.augment.transform.Presets}, each with the deterministic evaluation transform
 * (resize, centre crop, pad, normalise) that matches it.
 *
 * <p><b>Plain float[] rather than ND4J.</b> A batch is one Java {@code float[]} in (rows, C, H, W)
 * order ({@link dev.contrastive.augment.transform.ImageBatch}). The work is per image and branchy:
 * each image draws its own crop box, shift, jitter factors and their order, and one image of 32 x
 * 32 x 3 is only 3,072 floats. As ND4J ops that is several tiny native calls per image, each
 * costing microseconds of JNI and op set-up, more than the arithmetic itself; as Java loops over a
 * contiguous array the JIT compiles them to tight (often vectorised) code, with no off-heap memory
 * to own. Images enter ND4J once, when the {@code pipeline} package copies a finished batch into an
 * (N, C, H, W) array for the encoder.
 *
 * <p><b>Randomness.</b> Every row of a batch carries its own {@link java.util.SplittableRandom}
 * stream and a transform draws only from the row's stream. Streams are derived, never shared: views
 * and patches {@code split()} theirs off the image's, and the {@code pipeline} package seeds each
 * image's stream from (seed, epoch, dataset index). So an image's views depend on nothing but that
 * triple: not on batch size, batch composition or thread scheduling. Transforms hold no state and
 * are safe to share between threads.
 *
 * <p><b>Semantics.</b> Pixels are [0, 1] floats until {@link
 * dev.contrastive.augment.transform.Normalize}. Random steps follow torchvision (and PIL, which
 * AMDIM's pipeline ran on) so that the published strengths mean the same here: the same parameter
 * draws, luma weights, resampling filters and reflect padding. Each transform is a record that
 * validates its options; messages name the field and its allowed range. A probability {@code p} of
 * 0 or a strength of 0 is the identity.
 */
package dev.contrastive.augment.transform;

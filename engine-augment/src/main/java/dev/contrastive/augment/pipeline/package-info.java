/**
 * Paired views for training: {@link dev.contrastive.augment.pipeline.PairProducer} reads a {@link
 * dev.contrastive.augment.data.Dataset}, runs a {@link
 * dev.contrastive.augment.transform.PairTransform} on worker threads and hands out {@link
 * dev.contrastive.augment.pipeline.PairBatch}es of float32 ND4J arrays (N, C, H, W), in order, with
 * a bounded prefetch.
 *
 * <p>Randomness is derived, never shared: image i of epoch e is augmented from a stream seeded by
 * {@link dev.contrastive.augment.pipeline.ImageSeeds#image}(seed, e, i), and the epoch's order from
 * {@link dev.contrastive.augment.pipeline.ImageSeeds#shuffle}(seed, e). That is what makes the
 * batches identical for any number of threads, and an image's views independent of which batch it
 * lands in.
 *
 * <p>Native memory is owned explicitly: each batch owns its arrays and is closed by whoever holds
 * it; the producer closes the batches it made but never handed out.
 */
package dev.contrastive.augment.pipeline;

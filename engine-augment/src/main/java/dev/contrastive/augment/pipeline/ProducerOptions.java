package dev.contrastive.augment.pipeline;

/**
 * Options of {@link PairProducer}.
 *
 * @param batchSize images per batch, in [1, 1048576]
 * @param threads worker threads, in [1, 256]; the batches are the same for any value
 * @param prefetch batches made ahead of the consumer (queued or in progress), in [1, 1024]; at least
 *     {@code threads} to keep every worker busy
 * @param dropLast whether an epoch's last, smaller batch is dropped (AMDIM's reference loader drops it:
 *     every step then sees the same number of negatives)
 * @param shuffle whether each epoch visits the images in a fresh random order drawn from the seed
 * @param seed the seed every image's augmentation and every epoch's order derive from
 * @param groupPatches for patch pipelines, whether views are (N, P, C, h, w) instead of (N * P, C, h,
 *     w); whole-image views are (N, C, H, W) either way
 */
public record ProducerOptions(int batchSize, int threads, int prefetch, boolean dropLast,
    boolean shuffle, long seed, boolean groupPatches) {

  public ProducerOptions {
    if (batchSize < 1 || batchSize > (1 << 20)) {
      throw new IllegalArgumentException("producer.batchSize must be in [1, 1048576], got "
          + batchSize);
    }
    if (threads < 1 || threads > 256) {
      throw new IllegalArgumentException("producer.threads must be in [1, 256], got " + threads);
    }
    if (prefetch < 1 || prefetch > 1024) {
      throw new IllegalArgumentException("producer.prefetch must be in [1, 1024], got " + prefetch);
    }
  }

  /**
   * {@code batchSize} images per batch with the given seed, one worker per available processor,
   * two batches ahead per worker, shuffled, last partial batch dropped, patches flat.
   */
  public static ProducerOptions of(int batchSize, long seed) {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    return new ProducerOptions(batchSize, threads, 2 * threads, true, true, seed, false);
  }

  /** These options with {@code n} threads and 2n batches of prefetch. */
  public ProducerOptions withThreads(int n) {
    return new ProducerOptions(batchSize, n, 2 * n, dropLast, shuffle, seed, groupPatches);
  }

  public ProducerOptions withPrefetch(int n) {
    return new ProducerOptions(batchSize, threads, n, dropLast, shuffle, seed, groupPatches);
  }

  public ProducerOptions withDropLast(boolean drop) {
    return new ProducerOptions(batchSize, threads, prefetch, drop, shuffle, seed, groupPatches);
  }

  public ProducerOptions withShuffle(boolean s) {
    return new ProducerOptions(batchSize, threads, prefetch, dropLast, s, seed, groupPatches);
  }

  public ProducerOptions withSeed(long s) {
    return new ProducerOptions(batchSize, threads, prefetch, dropLast, shuffle, s, groupPatches);
  }

  public ProducerOptions withGroupPatches(boolean g) {
    return new ProducerOptions(batchSize, threads, prefetch, dropLast, shuffle, seed, g);
  }
}

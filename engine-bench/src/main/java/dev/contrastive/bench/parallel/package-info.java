/**
 * Measurements of data-parallel training on the CPU ({@code models.parallel.DataParallel}): the
 * throughput of in-process replicas and micro-batches against the plain step, measured interleaved
 * in one JVM ({@link dev.contrastive.bench.parallel.ReplicaThroughput}); the peak resident memory
 * of one training step with and without micro-batches, one child JVM per point ({@link
 * dev.contrastive.bench.parallel.MicroBatchMemory}); and the native memory of InfoNCE over a
 * gathered batch of 65,536 images among 8 replicas ({@link
 * dev.contrastive.bench.parallel.GatheredInfoNce}). Run them with {@code
 * scripts/bench-parallel.sh}, which writes dated reports to {@code bench-results/}.
 */
package dev.contrastive.bench.parallel;

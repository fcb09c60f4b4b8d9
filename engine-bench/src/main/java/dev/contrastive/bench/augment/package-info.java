/**
 * Benchmarks of the augmentation pipeline: view pairs per second of {@link
 * dev.contrastive.augment.pipeline.PairProducer} with the AMDIM presets, by view size and worker
 * threads.
 */
package dev.contrastive.bench.augment;

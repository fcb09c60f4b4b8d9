/**
 * Pieces of the training-step benchmark ({@code bench.TrainBenchmark}): the benchmarked model
 * shapes, the bare libnd4j convolution ops of an encoder's layer shapes (the throughput the encoder
 * is measured against), and a per-layer profile of our encoder.
 */
package dev.contrastive.bench.train;

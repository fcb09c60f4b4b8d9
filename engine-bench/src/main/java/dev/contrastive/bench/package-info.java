/**
 * JMH benchmarks of the fused losses against a materialised ND4J version, PyTorch with autograd
 * (DJL) and the BLAS time of the same matrix products, plus the tile sweep behind {@code
 * Tiling.DEFAULT}, and the encoders' timing ({@code EncoderTiming}). Never a runtime dependency of
 * the engine.
 *
 * <p>Run them with {@code scripts/bench-loss.sh}, which sets the native thread environment the
 * forked JVMs inherit and turns the JMH JSON into {@code bench-results/loss-latest.md}.
 */
package dev.contrastive.bench;

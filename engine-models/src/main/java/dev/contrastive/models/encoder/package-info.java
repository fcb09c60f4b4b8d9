/**
 * Encoders that produce the feature maps the contrastive losses compare.
 *
 * <ul>
 *   <li>{@link dev.contrastive.models.encoder.AmdimEncoder}: amdim-public's model.py Encoder
 *       (Conv3x3, ConvResNxN, ConvResBlock, MaybeBatchNorm2d, FakeRKHSConvNet, Fixup-style zero
 *       init) for 32, 64 and 128 inputs; its r1, r5, r7 are the maps {@code AmdimLoss} takes.
 *   <li>{@link dev.contrastive.models.encoder.CpcEncoder}: CPC v2's patch encoder (ResNet with
 *       LayerNorm), PixelCNN context network and per-step prediction heads; targets and predictions
 *       are what {@code CpcLoss} takes.
 *   <li>{@link dev.contrastive.models.encoder.ProbeTaps}: which AMDIM taps the probes read.
 * </ul>
 *
 * <p>What runs on what: every convolution and pooling is a libnd4j op called directly ({@code
 * conv2d}, {@code avgpool2d}, {@code maxpool2d}, {@code relu}) with its {@code *_bp} op for the
 * backward pass; batch norm and layer norm (with the ReLU after them) take the native CPU kernels
 * of {@code core.layers.NativeLayers} in float32 and ND4J reductions otherwise, with hand-written
 * gradients; no DL4J layers and no SameDiff at training time (DL4J's ConvolutionLayer measured 5x
 * slower than PyTorch here, SameDiff batch norm backprop is unreliable in M2.1). SameDiff appears
 * only in the tests, as the independent second implementation the gradients are checked against.
 *
 * <p>Two views per step: each encoder keeps the forward cache of one batch, so the second view goes
 * through {@code replica()}, which shares parameters, gradient accumulators and running statistics.
 */
package dev.contrastive.models.encoder;

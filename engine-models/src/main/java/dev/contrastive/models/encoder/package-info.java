/**
 * Encoders that produce the multi-scale feature maps the contrastive losses compare.
 *
 * <p>{@link dev.contrastive.models.encoder.AmdimEncoder} reproduces amdim-public's model.py
 * Encoder (Conv3x3, ConvResNxN, ConvResBlock, MaybeBatchNorm2d, FakeRKHSConvNet, Fixup-style zero
 * init) for 32, 64 and 128 inputs on the layer library of {@link dev.contrastive.models.nn}: every
 * convolution and pooling is a libnd4j op with its {@code *_bp} twin, batch norm is ND4J
 * reductions with a hand-written gradient. Its r1, r5, r7 outputs are the maps
 * {@code AmdimLoss} takes, and the gradients it returns feed {@code backward}.
 */
package dev.contrastive.models.encoder;

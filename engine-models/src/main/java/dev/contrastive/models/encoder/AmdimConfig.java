package dev.contrastive.models.encoder;

import java.util.Set;

/**
 * Hyper-parameters of the AMDIM encoder (amdim-public model.py {@code Encoder}).
 *
 * @param encoderSize input height and width: 32, 64 or 128
 * @param inChannels image channels: 1 (Fashion-MNIST) or 3
 * @param ndf base width; the 7x7 stage has ndf*4 channels at 32 and ndf*8 at 64 and 128; in [1, 4096]
 * @param nRkhs width of the r1, r5, r7 embeddings; at least the 7x7 stage width (amdim's
 *     ConvResNxN asserts n_out >= n_in) and at most 65536
 * @param nDepth ConvResNxN layers per ConvResBlock; in [1, 64]
 * @param useBn batch norm inside the residual blocks (amdim's use_bn; the taps' output batch norms
 *     are always on)
 */
public record AmdimConfig(int encoderSize, int inChannels, int ndf, int nRkhs, int nDepth, boolean useBn) {

  private static final Set<Integer> SIZES = Set.of(32, 64, 128);

  public AmdimConfig {
    if (!SIZES.contains(encoderSize)) {
      throw new IllegalArgumentException("amdim.encoderSize must be 32, 64 or 128, got " + encoderSize);
    }
    if (inChannels != 1 && inChannels != 3) {
      throw new IllegalArgumentException("amdim.inChannels must be 1 or 3, got " + inChannels);
    }
    if (ndf < 1 || ndf > 4096) {
      throw new IllegalArgumentException("amdim.ndf must be in [1, 4096], got " + ndf);
    }
    if (nDepth < 1 || nDepth > 64) {
      throw new IllegalArgumentException("amdim.nDepth must be in [1, 64], got " + nDepth);
    }
    int top = topWidth(encoderSize, ndf);
    if (nRkhs < top || nRkhs > 65536) {
      throw new IllegalArgumentException(
          "amdim.nRkhs must be in [" + top + ", 65536] (at least the 7x7 stage width ndf*"
              + (top / ndf) + "), got " + nRkhs);
    }
  }

  /** Channels of the 7x7, 5x5 and 3x3 stages. */
  public int topWidth() {
    return topWidth(encoderSize, ndf);
  }

  private static int topWidth(int encoderSize, int ndf) {
    return encoderSize == 32 ? ndf * 4 : ndf * 8;
  }

  /**
   * The published CIFAR-10 configuration (amdim-public train.py defaults): ndf 128, n_rkhs 1024,
   * n_depth 3, use_bn off, 32x32 RGB; 20.0 M parameters.
   */
  public static AmdimConfig publishedCifar() {
    return new AmdimConfig(32, 3, 128, 1024, 3, false);
  }

  /**
   * The small configuration that trains in minutes on 2 CPU cores: ndf 32, n_rkhs 256, n_depth 1,
   * 32x32, for Fashion-MNIST (1 channel, padded to 32x32 by the data pipeline). 1.04 M parameters
   * against 20.0 M for {@link #publishedCifar()}; at batch 64 one forward+backward took about 0.2 s
   * here against about 1.9 s (engine-bench EncoderTiming, 2 shared cores).
   */
  public static AmdimConfig small(int inChannels) {
    return new AmdimConfig(32, inChannels, 32, 256, 1, false);
  }

  public AmdimConfig withUseBn(boolean on) {
    return new AmdimConfig(encoderSize, inChannels, ndf, nRkhs, nDepth, on);
  }
}

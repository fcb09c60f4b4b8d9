package dev.contrastive.models.encoder;

/**
 * Hyper-parameters of the CPC v2 model (Henaff et al. 2019): patch grid, patch encoder, context
 * network and prediction heads.
 *
 * @param imageSize input height and width; must tile into the patch grid; in [patchSize, 1024]
 * @param inChannels image channels, 1 or 3
 * @param patchSize patch side p; in [4, 256]
 * @param patchStride patch stride (p/2 in the paper); in [1, patchSize]
 * @param width channels of the patch encoder's first stage (stages: width, 2*width, 4*width; the
 *     patch vector has 4*width dimensions); in [1, 1024]
 * @param blocksPerStage residual blocks per stage of the patch encoder; in [1, 32]
 * @param contextChannels hidden channels of the PixelCNN context blocks (the paper's 256); in [1, 4096]
 * @param targetDim dimension of targets and predictions (the paper's target_dim 64); in [1, 4096]
 * @param predictionSteps one 1x1 prediction head per predicted row offset (the paper's
 *     steps_to_predict 3); in [1, grid - 1]
 */
public record CpcConfig(
    int imageSize,
    int inChannels,
    int patchSize,
    int patchStride,
    int width,
    int blocksPerStage,
    int contextChannels,
    int targetDim,
    int predictionSteps) {

  /** The paper's context network: 5 residual blocks. */
  public static final int CONTEXT_BLOCKS = 5;

  public CpcConfig {
    if (inChannels != 1 && inChannels != 3) {
      throw new IllegalArgumentException("cpc.inChannels must be 1 or 3, got " + inChannels);
    }
    if (patchSize < 4 || patchSize > 256) {
      throw new IllegalArgumentException("cpc.patchSize must be in [4, 256], got " + patchSize);
    }
    if (patchStride < 1 || patchStride > patchSize) {
      throw new IllegalArgumentException("cpc.patchStride must be in [1, " + patchSize + "], got " + patchStride);
    }
    if (imageSize < patchSize || imageSize > 1024 || (imageSize - patchSize) % patchStride != 0) {
      throw new IllegalArgumentException(
          "cpc.imageSize must be in [" + patchSize + ", 1024] with (imageSize - patchSize) a multiple of "
              + patchStride + ", got " + imageSize);
    }
    if (width < 1 || width > 1024) {
      throw new IllegalArgumentException("cpc.width must be in [1, 1024], got " + width);
    }
    if (blocksPerStage < 1 || blocksPerStage > 32) {
      throw new IllegalArgumentException("cpc.blocksPerStage must be in [1, 32], got " + blocksPerStage);
    }
    if (contextChannels < 1 || contextChannels > 4096) {
      throw new IllegalArgumentException("cpc.contextChannels must be in [1, 4096], got " + contextChannels);
    }
    if (targetDim < 1 || targetDim > 4096) {
      throw new IllegalArgumentException("cpc.targetDim must be in [1, 4096], got " + targetDim);
    }
    int grid = (imageSize - patchSize) / patchStride + 1;
    if (predictionSteps < 1 || predictionSteps > grid - 1) {
      throw new IllegalArgumentException(
          "cpc.predictionSteps must be in [1, " + (grid - 1) + "] for a " + grid + "x" + grid + " grid, got "
              + predictionSteps);
    }
  }

  /** Side of the patch grid (7 for 32x32 images, 8-pixel patches, stride 4). */
  public int grid() {
    return (imageSize - patchSize) / patchStride + 1;
  }

  /** Dimension of a patch vector. */
  public int latentDim() {
    return 4 * width;
  }

  /**
   * CIFAR-scale CPC v2: 32x32 RGB, 8-pixel patches with stride 4 (7x7 grid), the paper's context
   * network (256 channels, 5 blocks), target_dim 64 and 3 prediction steps. The patch encoder is a
   * LayerNorm ResNet of width 64 with 3 blocks per stage (256-d patch vectors), far smaller than
   * the paper's ImageNet ResNet-161.
   */
  public static CpcConfig cifar() {
    return new CpcConfig(32, 3, 8, 4, 64, 3, 256, 64, 3);
  }

  /** Small configuration for 2 CPU cores: width 16 (64-d patch vectors), 1 block per stage, 64 context channels. */
  public static CpcConfig small(int inChannels) {
    return new CpcConfig(32, inChannels, 8, 4, 16, 1, 64, 64, 3);
  }
}

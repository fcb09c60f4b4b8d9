package dev.contrastive.augment.transform;

import java.util.SplittableRandom;

/**
 * Crops a random box of each row and resizes it to (height, width): torchvision's {@code
 * RandomResizedCrop}, as AMDIM uses it on STL-10 and ImageNet.
 *
 * <p>The box is drawn as torchvision draws it: up to 10 tries of an area fraction uniform in [scaleMin,
 * scaleMax] and an aspect ratio (width / height) log-uniform in [ratioMin, ratioMax], side lengths
 * rounded, position uniform; when no try fits, the central crop clamped to the ratio range. The box
 * is then resampled with PIL's filters ({@link Interpolation}), antialiased when shrinking. Works on
 * [0, 1] pixels: place it before {@link Normalize}.
 *
 * @param height output height, >= 1
 * @param width output width, >= 1
 * @param scaleMin smallest fraction of the image's area kept, in (0, 1]
 * @param scaleMax largest fraction, in [scaleMin, 1]
 * @param ratioMin smallest aspect ratio width / height, > 0
 * @param ratioMax largest aspect ratio, >= ratioMin
 * @param interpolation resampling filter
 */
public record RandomResizedCrop(int height, int width, double scaleMin, double scaleMax,
    double ratioMin, double ratioMax, Interpolation interpolation) implements Transform {

  private static final int TRIES = 10;

  public RandomResizedCrop {
    Checks.atLeast("crop.height", height, 1);
    Checks.atLeast("crop.width", width, 1);
    if (!(scaleMin > 0 && scaleMin <= 1)) {
      throw new IllegalArgumentException("crop.scaleMin must be in (0, 1], got " + scaleMin);
    }
    Checks.range("crop.scaleMax", scaleMax, scaleMin, 1);
    if (!(ratioMin > 0 && ratioMin < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("crop.ratioMin must be > 0 and finite, got " + ratioMin);
    }
    if (!(ratioMax >= ratioMin && ratioMax < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException(
          "crop.ratioMax must be in [ratioMin = " + ratioMin + ", inf), got " + ratioMax);
    }
    if (interpolation == null) {
      throw new IllegalArgumentException("crop.interpolation must be BILINEAR or BICUBIC, got null");
    }
  }

  /** A square output of side {@code size}. */
  public static RandomResizedCrop square(int size, double scaleMin, double scaleMax,
      double ratioMin, double ratioMax, Interpolation interpolation) {
    return new RandomResizedCrop(size, size, scaleMin, scaleMax, ratioMin, ratioMax, interpolation);
  }

  /** A crop box in source pixels: top row, left column, height, width. */
  record Box(int top, int left, int height, int width) {}

  /** Draws a box of a (sourceH, sourceW) image from {@code random}, as torchvision does. */
  Box drawBox(int sourceH, int sourceW, SplittableRandom random) {
    double area = (double) sourceH * sourceW;
    double logRatioMin = Math.log(ratioMin);
    double logRatioMax = Math.log(ratioMax);
    for (int attempt = 0; attempt < TRIES; attempt++) {
      double targetArea = area * uniform(random, scaleMin, scaleMax);
      double aspect = Math.exp(uniform(random, logRatioMin, logRatioMax));
      // Math.rint rounds half to even, like Python's round.
      int w = (int) Math.rint(Math.sqrt(targetArea * aspect));
      int h = (int) Math.rint(Math.sqrt(targetArea / aspect));
      if (w > 0 && w <= sourceW && h > 0 && h <= sourceH) {
        int top = random.nextInt(sourceH - h + 1);
        int left = random.nextInt(sourceW - w + 1);
        return new Box(top, left, h, w);
      }
    }
    double inRatio = (double) sourceW / sourceH;
    int w;
    int h;
    if (inRatio < ratioMin) {
      w = sourceW;
      h = (int) Math.rint(w / ratioMin);
    } else if (inRatio > ratioMax) {
      h = sourceH;
      w = (int) Math.rint(h * ratioMax);
    } else {
      w = sourceW;
      h = sourceH;
    }
    return new Box((sourceH - h) / 2, (sourceW - w) / 2, h, w);
  }

  private static double uniform(SplittableRandom random, double lo, double hi) {
    return lo + (hi - lo) * random.nextDouble();
  }

  @Override
  public ImageBatch apply(ImageBatch batch) {
    ItemShape out = outputShape(batch.shape());
    int c = batch.channels();
    int srcH = batch.height();
    int srcW = batch.width();
    float[] src = batch.data();
    float[] dst = new float[batch.rows() * out.rowSize()];
    for (int r = 0; r < batch.rows(); r++) {
      Box box = drawBox(srcH, srcW, batch.random(r));
      Resampler.resize(src, batch.offset(r), c, srcH, srcW, box.left(), box.top(), box.width(),
          box.height(), dst, r * out.rowSize(), height, width, interpolation);
    }
    return batch.reshaped(dst, out);
  }

  @Override
  public ItemShape outputShape(ItemShape input) {
    return new ItemShape(input.patches(), input.channels(), height, width);
  }
}

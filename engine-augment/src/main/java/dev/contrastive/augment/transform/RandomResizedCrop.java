package dev.contrastive.augment.transform;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Crops a random box of each row and resizes it to (height, width): torchvision's {@code
 * RandomResizedCrop}, as AMDIM uses it on STL-10 and ImageNet.
 *
 * <p>The box is drawn as torchvision draws it: up to 10 tries of an area fraction uniform in
 * [scaleMin, scaleMax] and an aspect ratio (width / height) log-uniform in [ratioMin, ratioMax],
 * side lengths rounded, position uniform; when no try fits, the central crop clamped to the ratio
 * range. The box is then resampled with PIL's filters ({@link Interpolation}), antialiased when
 * shrinking. Works on [0, 1] pixels: place it before {@link Normalize}.
 *
 * <p>Made with {@link #builder()}: the output size must be set; the scale and ratio ranges are
 * torchvision's defaults, [0.08, 1] and [3/4, 4/3], with bilinear resampling, unless set.
 * Immutable.
 */
public final class RandomResizedCrop implements Transform {

    private static final int TRIES = 10;

    private final int height;
    private final int width;
    private final double scaleMin;
    private final double scaleMax;
    private final double ratioMin;
    private final double ratioMax;
    private final Interpolation interpolation;

    private RandomResizedCrop(Builder b) {
        this.height = b.height;
        this.width = b.width;
        this.scaleMin = b.scaleMin;
        this.scaleMax = b.scaleMax;
        this.ratioMin = b.ratioMin;
        this.ratioMax = b.ratioMax;
        this.interpolation = b.interpolation;
    }

    /** A builder with torchvision's defaults and no output size yet. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this crop's settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder()
                .height(height)
                .width(width)
                .scaleMin(scaleMin)
                .scaleMax(scaleMax)
                .ratioMin(ratioMin)
                .ratioMax(ratioMax)
                .interpolation(interpolation);
    }

    /** Output height. */
    public int height() {
        return height;
    }

    /** Output width. */
    public int width() {
        return width;
    }

    /** Smallest fraction of the image's area kept. */
    public double scaleMin() {
        return scaleMin;
    }

    /** Largest fraction of the image's area kept. */
    public double scaleMax() {
        return scaleMax;
    }

    /** Smallest aspect ratio width / height. */
    public double ratioMin() {
        return ratioMin;
    }

    /** Largest aspect ratio width / height. */
    public double ratioMax() {
        return ratioMax;
    }

    /** Resampling filter. */
    public Interpolation interpolation() {
        return interpolation;
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
            Resampler.resize(
                    src,
                    batch.offset(r),
                    c,
                    srcH,
                    srcW,
                    box.left(),
                    box.top(),
                    box.width(),
                    box.height(),
                    dst,
                    r * out.rowSize(),
                    height,
                    width,
                    interpolation);
        }
        return batch.reshaped(dst, out);
    }

    @Override
    public ItemShape outputShape(ItemShape input) {
        return new ItemShape(input.patches(), input.channels(), height, width);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RandomResizedCrop c
                && height == c.height
                && width == c.width
                && Double.compare(scaleMin, c.scaleMin) == 0
                && Double.compare(scaleMax, c.scaleMax) == 0
                && Double.compare(ratioMin, c.ratioMin) == 0
                && Double.compare(ratioMax, c.ratioMax) == 0
                && interpolation == c.interpolation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(height, width, scaleMin, scaleMax, ratioMin, ratioMax, interpolation);
    }

    @Override
    public String toString() {
        return "RandomResizedCrop[height="
                + height
                + ", width="
                + width
                + ", scaleMin="
                + scaleMin
                + ", scaleMax="
                + scaleMax
                + ", ratioMin="
                + ratioMin
                + ", ratioMax="
                + ratioMax
                + ", interpolation="
                + interpolation
                + "]";
    }

    /**
     * Collects the settings, each checked as it is set; {@link #build()} checks that the size was set
     * and that each range's maximum is at least its minimum.
     */
    public static final class Builder {
        private int height;
        private int width;
        private double scaleMin = 0.08;
        private double scaleMax = 1.0;
        private double ratioMin = 3.0 / 4;
        private double ratioMax = 4.0 / 3;
        private Interpolation interpolation = Interpolation.BILINEAR;

        private Builder() {}

        /** A square output of side {@code side}, >= 1: height and width. */
        public Builder size(int side) {
            return height(side).width(side);
        }

        /** Output height, >= 1. */
        public Builder height(int h) {
            Checks.atLeast("crop.height", h, 1);
            this.height = h;
            return this;
        }

        /** Output width, >= 1. */
        public Builder width(int w) {
            Checks.atLeast("crop.width", w, 1);
            this.width = w;
            return this;
        }

        /** Smallest fraction of the image's area kept, in (0, 1]. */
        public Builder scaleMin(double fraction) {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("crop.scaleMin must be in (0, 1], got " + fraction);
            }
            this.scaleMin = fraction;
            return this;
        }

        /** Largest fraction of the image's area kept, in [scaleMin, 1]. */
        public Builder scaleMax(double fraction) {
            Checks.range("crop.scaleMax", fraction, 0, 1);
            this.scaleMax = fraction;
            return this;
        }

        /** Smallest aspect ratio width / height, > 0 and finite. */
        public Builder ratioMin(double ratio) {
            if (!(ratio > 0 && ratio < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("crop.ratioMin must be > 0 and finite, got " + ratio);
            }
            this.ratioMin = ratio;
            return this;
        }

        /** Largest aspect ratio width / height, >= ratioMin and finite. */
        public Builder ratioMax(double ratio) {
            if (!(ratio > 0 && ratio < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("crop.ratioMax must be > 0 and finite, got " + ratio);
            }
            this.ratioMax = ratio;
            return this;
        }

        /** Resampling filter, BILINEAR or BICUBIC. */
        public Builder interpolation(Interpolation filter) {
            if (filter == null) {
                throw new IllegalArgumentException("crop.interpolation must be BILINEAR or BICUBIC, got null");
            }
            this.interpolation = filter;
            return this;
        }

        public RandomResizedCrop build() {
            Checks.atLeast("crop.height", height, 1);
            Checks.atLeast("crop.width", width, 1);
            Checks.range("crop.scaleMax", scaleMax, scaleMin, 1);
            if (!(ratioMax >= ratioMin)) {
                throw new IllegalArgumentException(
                        "crop.ratioMax must be in [ratioMin = " + ratioMin + ", inf), got " + ratioMax);
            }
            return new RandomResizedCrop(this);
        }
    }
}

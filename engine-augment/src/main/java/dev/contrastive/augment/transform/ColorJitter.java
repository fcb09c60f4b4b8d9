package dev.contrastive.augment.transform;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * With probability {@code p}, changes each row's brightness, contrast, saturation and hue by random
 * factors, in a random order: torchvision's {@code RandomApply([ColorJitter(b, c, s, h)], p)}.
 *
 * <p>Semantics, per row, on [0, 1] pixels (torchvision's, so that the published strengths mean the
 * same here):
 *
 * <ul>
 *   <li>draw a random order of the four adjustments, then the factors: brightness, contrast and
 *       saturation uniform in [max(0, 1 - s), 1 + s] for strength s, hue uniform in [-hue, hue]; an
 *       adjustment of strength 0 is skipped;
 *   <li>brightness: x * f;
 *   <li>contrast: f * x + (1 - f) * m, with m the mean luma of the whole row;
 *   <li>saturation: f * x + (1 - f) * luma of the pixel;
 *   <li>hue: rotate the HSV hue by the factor (a full turn is 1);
 *   <li>every step clamps to [0, 1].
 * </ul>
 *
 * <p>Saturation and hue leave one-channel rows unchanged, as torchvision and PIL do for grayscale
 * images. Luma weights are PIL's ({@link RandomGrayscale#luma}).
 *
 * <p>Made with {@link #builder()}: each strength named, 0 (off) unless set, and {@code p} 1 unless
 * set, as torchvision's {@code ColorJitter()} without {@code RandomApply}. Immutable.
 */
public final class ColorJitter implements Transform {

    private static final double MAX_STRENGTH = 1e6;

    private static final int BRIGHTNESS = 0;
    private static final int CONTRAST = 1;
    private static final int SATURATION = 2;
    private static final int HUE = 3;

    private final double brightness;
    private final double contrast;
    private final double saturation;
    private final double hue;
    private final double p;

    private ColorJitter(Builder b) {
        this.brightness = b.brightness;
        this.contrast = b.contrast;
        this.saturation = b.saturation;
        this.hue = b.hue;
        this.p = b.p;
    }

    /** A builder of a jitter that changes nothing until a strength is set, applied to every row. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this jitter's settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder()
                .brightness(brightness)
                .contrast(contrast)
                .saturation(saturation)
                .hue(hue)
                .p(p);
    }

    /** Brightness strength. */
    public double brightness() {
        return brightness;
    }

    /** Contrast strength. */
    public double contrast() {
        return contrast;
    }

    /** Saturation strength. */
    public double saturation() {
        return saturation;
    }

    /** Hue strength, in turns. */
    public double hue() {
        return hue;
    }

    /** Probability of jittering a row. */
    public double p() {
        return p;
    }

    @Override
    public ImageBatch apply(ImageBatch batch) {
        float[] d = batch.data();
        int c = batch.channels();
        int plane = batch.height() * batch.width();
        int[] order = new int[4];
        return batch.changeRows(p, (base, random) -> {
            for (int i = 0; i < 4; i++) {
                order[i] = i;
            }
            for (int i = 3; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            float b = (float) factor(random, brightness);
            float k = (float) factor(random, contrast);
            float s = (float) factor(random, saturation);
            float h = (float) (hue > 0 ? -hue + 2 * hue * random.nextDouble() : 0);
            for (int step : order) {
                switch (step) {
                    case BRIGHTNESS -> {
                        if (brightness > 0) {
                            brightness(d, base, c * plane, b);
                        }
                    }
                    case CONTRAST -> {
                        if (contrast > 0) {
                            contrast(d, base, c, plane, k);
                        }
                    }
                    case SATURATION -> {
                        if (saturation > 0 && c == 3) {
                            saturation(d, base, plane, s);
                        }
                    }
                    case HUE -> {
                        if (hue > 0 && c == 3) {
                            hue(d, base, plane, h);
                        }
                    }
                    default -> throw new AssertionError(step);
                }
            }
        });
    }

    /** Uniform in [max(0, 1 - strength), 1 + strength], or 1 (no draw) at strength 0. */
    private static double factor(SplittableRandom random, double strength) {
        if (strength == 0) {
            return 1;
        }
        double lo = Math.max(0, 1 - strength);
        double hi = 1 + strength;
        return lo + (hi - lo) * random.nextDouble();
    }

    private static float clamp(float x) {
        return x < 0f ? 0f : (x > 1f ? 1f : x);
    }

    private static void brightness(float[] d, int base, int n, float f) {
        for (int i = base; i < base + n; i++) {
            d[i] = clamp(d[i] * f);
        }
    }

    private static void contrast(float[] d, int base, int c, int plane, float f) {
        double sum = 0;
        if (c == 3) {
            for (int i = 0; i < plane; i++) {
                sum += RandomGrayscale.luma(d[base + i], d[base + plane + i], d[base + 2 * plane + i]);
            }
        } else {
            for (int i = 0; i < c * plane; i++) {
                sum += d[base + i];
            }
            sum /= c;
        }
        float mean = (float) (sum / plane);
        float offset = (1 - f) * mean;
        for (int i = base; i < base + c * plane; i++) {
            d[i] = clamp(f * d[i] + offset);
        }
    }

    private static void saturation(float[] d, int base, int plane, float f) {
        for (int i = 0; i < plane; i++) {
            int r = base + i;
            int g = r + plane;
            int b = g + plane;
            float gray = (1 - f) * RandomGrayscale.luma(d[r], d[g], d[b]);
            d[r] = clamp(f * d[r] + gray);
            d[g] = clamp(f * d[g] + gray);
            d[b] = clamp(f * d[b] + gray);
        }
    }

    /**
     * RGB to HSV, hue shift, HSV to RGB: torchvision's tensor formulas, per pixel, simplified where
     * they reduce exactly: with v = max and s = chroma / max, HSV's p = v (1 - s) is the min, q = max
     * - chroma f and t = min + chroma f, so no division by max and no clamping is needed.
     */
    private static void hue(float[] d, int base, int plane, float shift) {
        float turn = 6f * shift;
        for (int i = 0; i < plane; i++) {
            int ri = base + i;
            int gi = ri + plane;
            int bi = gi + plane;
            float r = d[ri];
            float g = d[gi];
            float b = d[bi];
            float max = Math.max(r, Math.max(g, b));
            float min = Math.min(r, Math.min(g, b));
            float chroma = max - min;
            if (chroma == 0f) {
                continue; // gray pixel: hue is undefined and rotating it changes nothing
            }
            float inv = 1f / chroma;
            // Hue in sixths of a turn, in [-1, 5).
            float h;
            if (max == r) {
                h = (g - b) * inv;
            } else if (max == g) {
                h = 2f + (b - r) * inv;
            } else {
                h = 4f + (r - g) * inv;
            }
            // Shifted by at most 3 sixths, plus 6: positive, so the cast floors it.
            float h6 = h + 6f + turn;
            int sector = (int) h6;
            float frac = h6 - sector;
            float q = max - chroma * frac;
            float t = min + chroma * frac;
            switch (sector % 6) {
                case 0 -> set(d, ri, gi, bi, max, t, min);
                case 1 -> set(d, ri, gi, bi, q, max, min);
                case 2 -> set(d, ri, gi, bi, min, max, t);
                case 3 -> set(d, ri, gi, bi, min, q, max);
                case 4 -> set(d, ri, gi, bi, t, min, max);
                default -> set(d, ri, gi, bi, max, min, q);
            }
        }
    }

    private static void set(float[] d, int ri, int gi, int bi, float r, float g, float b) {
        d[ri] = r;
        d[gi] = g;
        d[bi] = b;
    }

    @Override
    public ItemShape outputShape(ItemShape input) {
        return input;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ColorJitter j
                && Double.compare(brightness, j.brightness) == 0
                && Double.compare(contrast, j.contrast) == 0
                && Double.compare(saturation, j.saturation) == 0
                && Double.compare(hue, j.hue) == 0
                && Double.compare(p, j.p) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(brightness, contrast, saturation, hue, p);
    }

    @Override
    public String toString() {
        return "ColorJitter[brightness="
                + brightness
                + ", contrast="
                + contrast
                + ", saturation="
                + saturation
                + ", hue="
                + hue
                + ", p="
                + p
                + "]";
    }

    /** Collects the settings, each checked as it is set. */
    public static final class Builder {
        private double brightness;
        private double contrast;
        private double saturation;
        private double hue;
        private double p = 1;

        private Builder() {}

        /** Brightness strength s (factors in [max(0, 1 - s), 1 + s]), in [0, 1e6]; 0 is off. */
        public Builder brightness(double strength) {
            Checks.range("jitter.brightness", strength, 0, MAX_STRENGTH);
            this.brightness = strength;
            return this;
        }

        /** Contrast strength, in [0, 1e6]; 0 is off. */
        public Builder contrast(double strength) {
            Checks.range("jitter.contrast", strength, 0, MAX_STRENGTH);
            this.contrast = strength;
            return this;
        }

        /** Saturation strength, in [0, 1e6]; 0 is off. */
        public Builder saturation(double strength) {
            Checks.range("jitter.saturation", strength, 0, MAX_STRENGTH);
            this.saturation = strength;
            return this;
        }

        /** Hue strength h (shifts in [-h, h] of a turn), in [0, 0.5]; 0 is off. */
        public Builder hue(double strength) {
            Checks.range("jitter.hue", strength, 0, 0.5);
            this.hue = strength;
            return this;
        }

        /** Probability of jittering a row, in [0, 1]. */
        public Builder p(double probability) {
            Checks.probability("jitter.p", probability);
            this.p = probability;
            return this;
        }

        public ColorJitter build() {
            return new ColorJitter(this);
        }
    }
}

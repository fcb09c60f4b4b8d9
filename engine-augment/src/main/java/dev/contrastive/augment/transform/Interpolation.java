package dev.contrastive.augment.transform;

/**
 * Resampling filters, as PIL defines them (AMDIM resizes PIL images: {@code INTERP = 3} is {@code
 * Image.BICUBIC}).
 */
public enum Interpolation {
    /** Triangle filter, support 1. */
    BILINEAR(1.0) {
        @Override
        double weight(double x) {
            x = Math.abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    },
    /** Keys cubic with a = -0.5 (PIL's choice; torch's tensor path uses -0.75), support 2. */
    BICUBIC(2.0) {
        @Override
        double weight(double x) {
            final double a = -0.5;
            x = Math.abs(x);
            if (x < 1.0) {
                return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
            }
            if (x < 2.0) {
                return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
            }
            return 0.0;
        }
    };

    private final double support;

    Interpolation(double support) {
        this.support = support;
    }

    /** Half-width of the filter at scale 1, in source pixels. */
    double support() {
        return support;
    }

    /** Filter value at distance {@code x} source pixels from the sample point. */
    abstract double weight(double x);
}

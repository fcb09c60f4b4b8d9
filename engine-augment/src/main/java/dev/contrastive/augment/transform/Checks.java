package dev.contrastive.augment.transform;

/** Validation shared by the transforms' options, so every message has the same form. */
final class Checks {

    private Checks() {}

    static void probability(String field, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(field + " must be in [0, 1], got " + p);
        }
    }

    static void range(String field, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    static void atLeast(String field, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(field + " must be >= " + min + ", got " + value);
        }
    }

    /** Rejects a batch whose shape {@code transform.outputShape} does not accept. */
    static void accepts(Transform transform, ImageBatch batch) {
        transform.outputShape(batch.shape());
    }

    /**
     * Reflects {@code i} into [0, n) about the edge pixels without repeating them (numpy "reflect",
     * torch "reflect", and what AMDIM's translate pastes): -1 -> 1, n -> n - 2.
     */
    static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int m = Math.floorMod(i, period);
        return m < n ? m : period - m;
    }
}

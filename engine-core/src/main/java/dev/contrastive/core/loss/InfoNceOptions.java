package dev.contrastive.core.loss;

import dev.contrastive.core.kernel.Tiling;

/**
 * Options of {@link InfoNceLoss} (NT-Xent).
 *
 * @param temperature divides every score; in (0, 1e4]
 * @param normalize whether features are L2-normalised first (cosine similarity, as in SimCLR)
 * @param tiling tile shape of the fused kernel
 */
public record InfoNceOptions(double temperature, boolean normalize, Tiling tiling) {

    public InfoNceOptions {
        if (!(temperature > 0 && temperature <= 1e4)) {
            throw new IllegalArgumentException("infonce.temperature must be in (0, 1e4], got " + temperature);
        }
        if (tiling == null) {
            throw new IllegalArgumentException("infonce.tiling must not be null");
        }
    }

    /** SimCLR's setting: temperature 0.1 on L2-normalised features, default tiles. */
    public static InfoNceOptions defaults() {
        return new InfoNceOptions(0.1, true, Tiling.DEFAULT);
    }

    public InfoNceOptions withTemperature(double t) {
        return new InfoNceOptions(t, normalize, tiling);
    }

    public InfoNceOptions withNormalize(boolean n) {
        return new InfoNceOptions(temperature, n, tiling);
    }

    public InfoNceOptions withTiling(Tiling t) {
        return new InfoNceOptions(temperature, normalize, t);
    }
}

package dev.contrastive.core.loss;

import dev.contrastive.core.kernel.Tiling;

/**
 * Options of {@link YadimLoss}: AMDIM's scoring (soft clip and regulariser) on the last maps only.
 *
 * @param tclip soft-clip bound; in (0, 1e4]
 * @param regWeight regulariser weight; in [0, 10]
 * @param tiling tile shape of the fused kernel
 */
public record YadimOptions(double tclip, double regWeight, Tiling tiling) {

    public YadimOptions {
        if (!(tclip > 0 && tclip <= 1e4)) {
            throw new IllegalArgumentException("yadim.tclip must be in (0, 1e4], got " + tclip);
        }
        if (!(regWeight >= 0 && regWeight <= 10)) {
            throw new IllegalArgumentException("yadim.regWeight must be in [0, 10], got " + regWeight);
        }
        if (tiling == null) {
            throw new IllegalArgumentException("yadim.tiling must not be null");
        }
    }

    /** AMDIM's tclip 20 and w 0.05. */
    public static YadimOptions defaults() {
        return new YadimOptions(20.0, 0.05, Tiling.DEFAULT);
    }

    public YadimOptions withTclip(double t) {
        return new YadimOptions(t, regWeight, tiling);
    }

    public YadimOptions withRegWeight(double w) {
        return new YadimOptions(tclip, w, tiling);
    }

    public YadimOptions withTiling(Tiling t) {
        return new YadimOptions(tclip, regWeight, t);
    }
}

package dev.contrastive.core.loss;

import dev.contrastive.core.kernel.Tiling;

/**
 * Options of {@link CpcLoss}, with CPC v2's published values.
 *
 * <p>Offsets predicted are {@code k = stepsToSkip .. stepsToSkip + stepsToPredict - 1} rows below
 * the predicting position: with the defaults 2, 3 and 4, so no predicted patch overlaps the context
 * row when patches overlap by half (stride p/2).
 *
 * @param stepsToSkip first row offset predicted; in [1, 64]
 * @param stepsToPredict number of offsets predicted, one prediction head each; in [1, 64]
 * @param embScale multiplies every score (the paper's emb_scale); in (0, 1e4]
 * @param tiling tile shape of the fused kernel
 */
public record CpcOptions(int stepsToSkip, int stepsToPredict, double embScale, Tiling tiling) {

    public CpcOptions {
        if (stepsToSkip < 1 || stepsToSkip > 64) {
            throw new IllegalArgumentException("cpc.stepsToSkip must be in [1, 64], got " + stepsToSkip);
        }
        if (stepsToPredict < 1 || stepsToPredict > 64) {
            throw new IllegalArgumentException("cpc.stepsToPredict must be in [1, 64], got " + stepsToPredict);
        }
        if (!(embScale > 0 && embScale <= 1e4)) {
            throw new IllegalArgumentException("cpc.embScale must be in (0, 1e4], got " + embScale);
        }
        if (tiling == null) {
            throw new IllegalArgumentException("cpc.tiling must not be null");
        }
    }

    /** steps_to_ignore 2, steps_to_predict 3, emb_scale 0.1. */
    public static CpcOptions defaults() {
        return new CpcOptions(2, 3, 0.1, Tiling.DEFAULT);
    }

    /** Row offset predicted by head {@code step} (0-based). */
    public int offset(int step) {
        return stepsToSkip + step;
    }

    public CpcOptions withSteps(int skip, int predict) {
        return new CpcOptions(skip, predict, embScale, tiling);
    }

    public CpcOptions withEmbScale(double s) {
        return new CpcOptions(stepsToSkip, stepsToPredict, s, tiling);
    }

    public CpcOptions withTiling(Tiling t) {
        return new CpcOptions(stepsToSkip, stepsToPredict, embScale, t);
    }
}

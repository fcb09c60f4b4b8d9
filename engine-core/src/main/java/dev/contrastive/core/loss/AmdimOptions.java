package dev.contrastive.core.loss;

import dev.contrastive.core.kernel.Tiling;
import java.util.List;

/**
 * Options of {@link AmdimLoss}, with the published defaults of amdim-public.
 *
 * @param tclip scores are soft-clipped to {@code tclip * tanh(raw / tclip)}; in (0, 1e4]
 * @param regWeight weight w of the regulariser {@code w * mean(raw^2)} taken before clipping; in
 *     [0, 10]
 * @param comparisons the comparisons to score, each in both directions; at least one, no repeats
 * @param tiling tile shape of the fused kernel; its columns are rounded down to whole images
 */
public record AmdimOptions(double tclip, double regWeight, List<AmdimComparison> comparisons, Tiling tiling) {

    /** The paper's three comparisons: 1->5, 1->7 and 5->5. */
    public static final List<AmdimComparison> PAPER_COMPARISONS =
            List.of(new AmdimComparison("r1", "r5"), new AmdimComparison("r1", "r7"), new AmdimComparison("r5", "r5"));

    public AmdimOptions {
        if (!(tclip > 0 && tclip <= 1e4)) {
            throw new IllegalArgumentException("amdim.tclip must be in (0, 1e4], got " + tclip);
        }
        if (!(regWeight >= 0 && regWeight <= 10)) {
            throw new IllegalArgumentException("amdim.regWeight must be in [0, 10], got " + regWeight);
        }
        if (comparisons == null || comparisons.isEmpty()) {
            throw new IllegalArgumentException("amdim.comparisons must hold at least one comparison");
        }
        comparisons = List.copyOf(comparisons);
        if (comparisons.stream().distinct().count() != comparisons.size()) {
            throw new IllegalArgumentException("amdim.comparisons has repeats: " + comparisons);
        }
        if (tiling == null) {
            throw new IllegalArgumentException("amdim.tiling must not be null");
        }
    }

    /** tclip 20 (train.py), w 0.05 (costs.py), comparisons 1->5, 1->7, 5->5. */
    public static AmdimOptions defaults() {
        return new AmdimOptions(20.0, 0.05, PAPER_COMPARISONS, Tiling.DEFAULT);
    }

    public AmdimOptions withTclip(double t) {
        return new AmdimOptions(t, regWeight, comparisons, tiling);
    }

    public AmdimOptions withRegWeight(double w) {
        return new AmdimOptions(tclip, w, comparisons, tiling);
    }

    public AmdimOptions withComparisons(List<AmdimComparison> c) {
        return new AmdimOptions(tclip, regWeight, c, tiling);
    }

    public AmdimOptions withTiling(Tiling t) {
        return new AmdimOptions(tclip, regWeight, comparisons, t);
    }
}

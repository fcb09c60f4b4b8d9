package dev.contrastive.core.loss.reference;

import dev.contrastive.core.loss.Diagnostics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a reference loss pools over every positive it scores, as the fused losses pool it: the mean
 * positive and negative scores, each positive's margin over its best competing negative (the
 * accuracy counts margins > 0), and the largest |score|.
 */
final class PooledDiagnostics {

    private double posSum;
    private double negSum;
    private long negCount;
    private double maxAbsScore;
    private final List<Double> margins = new ArrayList<>();

    /** Any score the loss formed: float32 rounding of the log-sum-exp scales with the largest. */
    void score(double s) {
        maxAbsScore = Math.max(maxAbsScore, Math.abs(s));
    }

    /** A negative score of some positive's row. */
    void negative(double s) {
        negSum += s;
        negCount++;
    }

    /** A positive score and its margin over its best negative (+inf where it has none). */
    void positive(double s, double margin) {
        posSum += s;
        margins.add(margin);
    }

    /**
     * The result of the pooled terms; the mean negative over no negatives is NaN, and a positive
     * with a margin of +inf counts as correct.
     */
    ReferenceResult result(double loss, Map<String, Double> parts, Map<String, Tensor64> gradients) {
        long correct = margins.stream().filter(m -> m > 0).count();
        Diagnostics diagnostics = new Diagnostics(
                posSum / margins.size(),
                negCount == 0 ? Double.NaN : negSum / negCount,
                (double) correct / margins.size());
        double[] marginArray = margins.stream().mapToDouble(Double::doubleValue).toArray();
        return new ReferenceResult(loss, parts, diagnostics, gradients, marginArray, maxAbsScore);
    }
}

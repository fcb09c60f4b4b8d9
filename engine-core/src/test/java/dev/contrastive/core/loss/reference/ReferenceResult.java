package dev.contrastive.core.loss.reference;

import dev.contrastive.core.loss.Diagnostics;
import java.util.Map;

/**
 * What a reference loss computes: the same quantities as a fused {@code LossResult}, in float64.
 *
 * @param loss the total loss
 * @param parts named terms, summing to the loss
 * @param diagnostics pooled mean positive and negative scores and strict NCE accuracy
 * @param gradients d loss / d input for every input, keyed like the fused loss keys them
 * @param margins for every pooled positive, its score minus the largest competing negative score
 *     (the accuracy counts margins > 0); lets a float32 comparison tell which accuracy votes are
 *     near-ties
 * @param maxAbsScore the largest |score| the loss formed; float32 rounding of the log-sum-exp
 *     scales with it
 */
public record ReferenceResult(
        double loss,
        Map<String, Double> parts,
        Diagnostics diagnostics,
        Map<String, Tensor64> gradients,
        double[] margins,
        double maxAbsScore) {

    public Tensor64 gradient(String name) {
        Tensor64 g = gradients.get(name);
        if (g == null) {
            throw new IllegalArgumentException("no reference gradient '" + name + "' in " + gradients.keySet());
        }
        return g;
    }
}

package dev.contrastive.core.loss;

/**
 * What a contrastive loss saw besides its value, pooled over every positive (and every row) it
 * scored.
 *
 * @param meanPositive mean score of the positive pairs (after temperature, scale or clipping, as
 *     the loss scores them)
 * @param meanNegative mean score of the negative pairs; NaN when the batch has no negatives (B = 1)
 * @param accuracy fraction of positives whose score is strictly greater than every negative score
 *     of their row (NCE accuracy); ties count as misses, so identical features score 0
 */
public record Diagnostics(double meanPositive, double meanNegative, double accuracy) {}

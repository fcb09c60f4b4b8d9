package dev.contrastive.models.eval;

/**
 * What a probe reached.
 *
 * @param trainAccuracy fraction of the fitted train rows classified correctly by the kept weights
 * @param testAccuracy fraction of test rows classified correctly
 * @param trainSize number of train rows
 * @param testSize number of test rows
 * @param featureDim feature dimension
 * @param epochs epochs of the kept weights: the best on the validation rows, or all of them
 * @param validationAccuracy accuracy on the held-out train rows; NaN when none were held out
 */
public record ProbeResult(
        double trainAccuracy,
        double testAccuracy,
        int trainSize,
        int testSize,
        int featureDim,
        int epochs,
        double validationAccuracy) {}

package dev.contrastive.models.eval;

/**
 * What a probe reached.
 *
 * @param trainAccuracy fraction of train rows classified correctly after fitting
 * @param testAccuracy fraction of test rows classified correctly
 * @param trainSize number of train rows
 * @param testSize number of test rows
 * @param featureDim feature dimension
 */
public record ProbeResult(
    double trainAccuracy, double testAccuracy, int trainSize, int testSize, int featureDim) {}

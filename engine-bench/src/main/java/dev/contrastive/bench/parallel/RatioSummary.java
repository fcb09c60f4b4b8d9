package dev.contrastive.bench.parallel;

import java.util.Arrays;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * The spread of per-round ratios: median, quartiles and extremes.
 *
 * @param median the median ratio
 * @param lowerQuartile 25th percentile
 * @param upperQuartile 75th percentile
 * @param min the smallest ratio
 * @param max the largest ratio
 * @param rounds how many ratios
 */
record RatioSummary(double median, double lowerQuartile, double upperQuartile, double min, double max, int rounds) {

    RatioSummary {
        if (rounds < 1) {
            throw new IllegalArgumentException("ratioSummary.rounds must be >= 1, got " + rounds);
        }
        if (!(min <= lowerQuartile && lowerQuartile <= median && median <= upperQuartile && upperQuartile <= max)) {
            throw new IllegalArgumentException("ratioSummary must have min <= lowerQuartile <= median <= upperQuartile"
                    + " <= max, got "
                    + Arrays.toString(new double[] {min, lowerQuartile, median, upperQuartile, max}));
        }
    }

    /**
     * Summarises {@code ratios}, each {@code numerator[i] / denominator[i]}: round i's two timings.
     *
     * @throws IllegalArgumentException if the arrays differ in length, are empty, or a timing is not
     *     a positive finite number
     */
    static RatioSummary of(double[] numerator, double[] denominator) {
        if (numerator.length != denominator.length || numerator.length == 0) {
            throw new IllegalArgumentException("ratios need two equally long, non-empty series, got "
                    + numerator.length
                    + " and "
                    + denominator.length);
        }
        double[] ratios = new double[numerator.length];
        for (int i = 0; i < ratios.length; i++) {
            if (!(numerator[i] > 0 && denominator[i] > 0)
                    || Double.isInfinite(numerator[i])
                    || Double.isInfinite(denominator[i])) {
                throw new IllegalArgumentException("round "
                        + i
                        + " has a timing that is not positive and finite: "
                        + numerator[i]
                        + " / "
                        + denominator[i]);
            }
            ratios[i] = numerator[i] / denominator[i];
        }
        // commons-math's default estimator, as InterleavedSteps uses: the two reports' quartiles
        // compare.
        Percentile p = new Percentile();
        p.setData(ratios);
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        return new RatioSummary(
                p.evaluate(50), p.evaluate(25), p.evaluate(75), sorted[0], sorted[sorted.length - 1], ratios.length);
    }
}

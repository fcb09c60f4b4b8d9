package dev.contrastive.core.kernel;

/**
 * Sums a kernel gathers while it scores, from which losses derive their value and diagnostics.
 *
 * @param loss the kernel's weighted loss
 * @param positiveSum sum of positive scores
 * @param positives number of positives scored
 * @param negativeSum sum of negative scores
 * @param negatives number of negative scores
 * @param correct positives that outscored every negative of their row
 * @param squaredRawSum sum of squared raw scores (AMDIM's regulariser; 0 for other kernels)
 */
public record ScoreStats(
        double loss,
        double positiveSum,
        long positives,
        double negativeSum,
        long negatives,
        long correct,
        double squaredRawSum) {

    public static final ScoreStats EMPTY = new ScoreStats(0, 0, 0, 0, 0, 0, 0);

    public ScoreStats plus(ScoreStats o) {
        return new ScoreStats(
                loss + o.loss,
                positiveSum + o.positiveSum,
                positives + o.positives,
                negativeSum + o.negativeSum,
                negatives + o.negatives,
                correct + o.correct,
                squaredRawSum + o.squaredRawSum);
    }
}

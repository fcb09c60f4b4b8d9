package dev.contrastive.core.kernel;

import java.util.Arrays;

/**
 * Per-row running statistics of one row block: the online log-sum-exp (running max and sum of
 * exponentials, rescaled whenever the max grows) plus what the diagnostics need.
 */
final class RowBlock {

    final int size;

    /** Running max of every score in the softmax denominator. */
    final double[] max;

    /** Sum of exp(score - max) over the columns seen so far. */
    final double[] sumExp;

    /**
     * The part of sumExp from columns other than the row's label (softmax cross-entropy; AMDIM's
     * sumExp holds only negatives already), rescaled with it: 1 - softmax at the label is otherSumExp
     * / sumExp, which does not cancel when the label dominates the row as the difference would.
     */
    final double[] otherSumExp;

    /** Max over the negatives only, for NCE accuracy. */
    final double[] negativeMax;

    /** Sum of negative scores, for the mean negative score. */
    final double[] negativeSum;

    RowBlock(int size) {
        this.size = size;
        this.max = filled(size, Double.NEGATIVE_INFINITY);
        this.sumExp = new double[size];
        this.otherSumExp = new double[size];
        this.negativeMax = filled(size, Double.NEGATIVE_INFINITY);
        this.negativeSum = new double[size];
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    /**
     * Folds one tile into the running statistics.
     *
     * @param tileMax max of the tile's scores per row (-inf where the row had no scored column)
     * @return the shift each row of the tile must subtract before exponentiating (finite)
     */
    double[] raiseMax(double[] tileMax) {
        double[] shift = new double[size];
        for (int i = 0; i < size; i++) {
            double next = Math.max(max[i], tileMax[i]);
            if (next > max[i] && max[i] != Double.NEGATIVE_INFINITY) {
                double rescale = Math.exp(max[i] - next);
                sumExp[i] *= rescale;
                otherSumExp[i] *= rescale;
            }
            max[i] = next;
            shift[i] = next == Double.NEGATIVE_INFINITY ? 0.0 : next;
        }
        return shift;
    }

    /** Adds one tile's sum of exp(score - max) per row. */
    void addSumExp(double[] tileSumExp) {
        for (int i = 0; i < size; i++) {
            sumExp[i] += tileSumExp[i];
        }
    }

    /**
     * Adds one tile's sums of exp(score - max) per row: over its columns other than the label, and
     * the label's own term (0 where the label is not in the tile).
     */
    void addSumExp(double[] others, double[] label) {
        for (int i = 0; i < size; i++) {
            otherSumExp[i] += others[i];
            sumExp[i] += others[i] + label[i];
        }
    }

    /** 1 - softmax at row i's label: the other columns' share of the denominator. */
    double otherShare(int i) {
        return otherSumExp[i] / sumExp[i];
    }

    /** log of the softmax denominator of row i. */
    double logSumExp(int i) {
        return max[i] + Math.log(sumExp[i]);
    }
}

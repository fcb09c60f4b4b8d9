package dev.contrastive.core.kernel;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import dev.contrastive.core.memory.NativeMemory;
import java.util.function.IntToDoubleFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Fused, tiled softmax cross-entropy over the scores {@code S = scale * Q K^T}: row i's loss is
 * {@code -S[i, label_i] + log sum_{j != excluded_i} exp(S[i, j])}, weighted by {@code weight_i}.
 *
 * <p>One call computes the loss and writes {@code dL/dQ} and {@code dL/dK}. Scores are produced in
 * tiles of at most {@code tiling.rows() x tiling.columns()}; the full N x M matrix never exists.
 * When one column tile spans all M columns, each row strip is scored once and its backward pass
 * runs from the same buffer. Otherwise column tiles stream through a running max and sum-exp per
 * row (pass 1), then each tile is recomputed to form the gradient (pass 2), as in Inf-CL.
 *
 * <p>InfoNCE (Q = K = all views, the row itself excluded) and CPC (Q = predictions, K = every patch
 * vector) are both this kernel. On the CUDA backend the whole call goes to the device kernels when
 * {@link DeviceDispatch} selects them.
 */
public final class SoftmaxCrossEntropyKernel {

    private SoftmaxCrossEntropyKernel() {}

    /**
     * One call's arguments, as {@link #run} takes them and {@link DeviceKernels} receives them.
     *
     * @param q rows, (N, D), C order
     * @param k columns, (M, D), C order
     * @param scale multiplies every dot product
     * @param labels positive column of each row, in [0, M)
     * @param excluded column left out of each row's denominator (-1 for none), or null for none;
     *     never a label
     * @param weights loss weight of each row
     * @param dq receives dL/dQ, (N, D); overwritten
     * @param dk dL/dK, (M, D), is added to it, so one accumulator serves several calls
     */
    public record Problem(
            INDArray q,
            INDArray k,
            double scale,
            int[] labels,
            int[] excluded,
            double[] weights,
            INDArray dq,
            INDArray dk) {}

    /** Scores {@code problem} in tiles of at most {@code tiling}. */
    public static ScoreStats run(Problem problem, Tiling tiling) {
        DeviceKernels device = DeviceDispatch.forArrays(problem.q());
        if (device != null) {
            return device.softmaxCrossEntropy(problem);
        }
        int n = problem.q().rows();
        int m = problem.k().rows();
        return TiledBlock.sum(
                n,
                Math.min(tiling.rows(), n),
                m,
                Math.min(tiling.columns(), m),
                (r0, r1) -> new Block(problem, r0, r1));
    }

    /**
     * The statistics of rows [first, first + count) from their per-row results (indexed from 0): the
     * weighted loss {@code w_i (logSumExp_i - positive_i)}, and a row is correct when its positive
     * beats its best negative. Shared by the CPU blocks and the device kernels.
     *
     * @param columns M, every column but the label and the excluded one is a negative
     */
    public static ScoreStats rowStats(
            double[] weights,
            int[] excluded,
            int columns,
            int first,
            int count,
            IntToDoubleFunction logSumExp,
            IntToDoubleFunction positive,
            IntToDoubleFunction negativeSum,
            IntToDoubleFunction negativeMax) {
        double loss = 0;
        double positives = 0;
        double negatives = 0;
        long negativeCount = 0;
        long correct = 0;
        for (int i = 0; i < count; i++) {
            double pos = positive.applyAsDouble(i);
            loss += weights[first + i] * (logSumExp.applyAsDouble(i) - pos);
            positives += pos;
            negatives += negativeSum.applyAsDouble(i);
            negativeCount += columns - 1 - (excluded != null && excluded[first + i] >= 0 ? 1 : 0);
            if (pos > negativeMax.applyAsDouble(i)) {
                correct++;
            }
        }
        return new ScoreStats(loss, positives, count, negatives, negativeCount, correct, 0);
    }

    /** One block of rows [r0, r1) and its statistics. */
    private static final class Block implements TiledBlock {
        private final INDArray k;
        private final INDArray dk;
        private final INDArray qRows;
        private final INDArray dqRows;
        private final double scale;
        private final int[] labels;
        private final int[] excluded;
        private final double[] weights;
        private final int r0;
        private final int t;
        private final int m;
        private final DataType type;
        private final RowBlock rows;
        private final double[] positive;

        Block(Problem p, int r0, int r1) {
            this.k = p.k();
            this.dk = p.dk();
            this.qRows = p.q().get(interval(r0, r1), all());
            this.dqRows = p.dq().get(interval(r0, r1), all());
            this.scale = p.scale();
            this.labels = p.labels();
            this.excluded = p.excluded();
            this.weights = p.weights();
            this.r0 = r0;
            this.t = r1 - r0;
            this.m = k.rows();
            this.type = p.q().dataType();
            this.rows = new RowBlock(t);
            this.positive = new double[t];
        }

        @Override
        public void singleStrip() {
            try (MemoryWorkspace ignored = Scratch.tile()) {
                INDArray s = scores(0, m);
                if (NativeTiles.usable(s)) {
                    nativeFold(s, 0, m);
                    nativeScoreGradient(s, 0, m);
                } else {
                    fold(s, 0, m);
                    scoreGradient(s, 0, m, true);
                }
                applyScoreGradient(s, 0, m, 0.0);
            }
        }

        @Override
        public void streamed(int colTile) {
            TiledBlock.forEachScoredTile(m, colTile, this::scores, this::nativeFold, this::fold);
            TiledBlock.forEachScoredTile(
                    m,
                    colTile,
                    this::scores,
                    (s, c0, c1) -> {
                        nativeScoreGradient(s, c0, c1);
                        applyScoreGradient(s, c0, c1, TiledBlock.gradientBeta(c0));
                    },
                    (s, c0, c1) -> {
                        maskExcluded(s, c0, c1);
                        s.subiColumnVector(Scratch.column(logSumExp(), t, type));
                        Transforms.exp(s, false);
                        scoreGradient(s, c0, c1, false);
                        applyScoreGradient(s, c0, c1, TiledBlock.gradientBeta(c0));
                    });
        }

        private double[] logSumExp() {
            double[] lse = new double[t];
            for (int i = 0; i < t; i++) {
                lse[i] = rows.logSumExp(i);
            }
            return lse;
        }

        /** Column of each row's label (or excluded column) within tile [c0, c1), -1 outside it. */
        private int[] tileColumns(int[] columns, int c0, int c1) {
            if (columns == null) {
                return null;
            }
            int[] local = new int[t];
            for (int i = 0; i < t; i++) {
                int c = columns[r0 + i];
                local[i] = inTile(c, c0, c1) ? c - c0 : -1;
            }
            return local;
        }

        private void nativeFold(INDArray s, int c0, int c1) {
            long address = NativeLibrary.address(s);
            int cols = c1 - c0;
            int[] label = tileColumns(labels, c0, c1);
            int[] ex = tileColumns(excluded, c0, c1);
            NativeTiles.forRows(
                    t,
                    cols,
                    (b, e) -> NativeTiles.softmaxFold(
                            address,
                            b,
                            e,
                            cols,
                            label,
                            ex,
                            rows.max,
                            rows.sumExp,
                            rows.otherSumExp,
                            rows.negativeMax,
                            rows.negativeSum,
                            positive));
        }

        private void nativeScoreGradient(INDArray s, int c0, int c1) {
            long address = NativeLibrary.address(s);
            int cols = c1 - c0;
            int[] label = tileColumns(labels, c0, c1);
            int[] ex = tileColumns(excluded, c0, c1);
            double[] lse = logSumExp();
            double[] w = java.util.Arrays.copyOfRange(weights, r0, r0 + t);
            double[] share = new double[t];
            for (int i = 0; i < t; i++) {
                share[i] = rows.otherShare(i);
            }
            NativeTiles.forRows(
                    t, cols, (b, e) -> NativeTiles.softmaxBackward(address, b, e, cols, label, ex, lse, w, share));
        }

        private INDArray scores(int c0, int c1) {
            INDArray s = NativeMemory.uninitialized(type, t, c1 - c0);
            Nd4j.gemm(qRows, k.get(interval(c0, c1), all()), s, false, true, scale, 0.0);
            return s;
        }

        private boolean inTile(int column, int c0, int c1) {
            return column >= c0 && column < c1;
        }

        private void maskExcluded(INDArray s, int c0, int c1) {
            if (excluded == null) {
                return;
            }
            for (int i = 0; i < t; i++) {
                int ex = excluded[r0 + i];
                if (inTile(ex, c0, c1)) {
                    s.putScalar(i, ex - c0, Double.NEGATIVE_INFINITY);
                }
            }
        }

        /**
         * Pass 1 on the scores of columns [c0, c1): records positives and diagnostics, folds the tile
         * into the running max and sum-exp. Leaves exp(S - running max) in {@code s}, the label and
         * excluded columns at 0: the label's term is added apart, so that the others' sum is kept on
         * its own.
         */
        private void fold(INDArray s, int c0, int c1) {
            double[] negativeSum = s.sum(1).toDoubleVector();
            for (int i = 0; i < t; i++) {
                int label = labels[r0 + i];
                if (inTile(label, c0, c1)) {
                    positive[i] = s.getDouble(i, label - c0);
                    negativeSum[i] -= positive[i];
                    s.putScalar(i, label - c0, Double.NEGATIVE_INFINITY);
                }
                int ex = excluded == null ? -1 : excluded[r0 + i];
                if (inTile(ex, c0, c1)) {
                    negativeSum[i] -= s.getDouble(i, ex - c0);
                    s.putScalar(i, ex - c0, Double.NEGATIVE_INFINITY);
                }
            }
            double[] tileMax = s.max(1).toDoubleVector();
            for (int i = 0; i < t; i++) {
                rows.negativeSum[i] += negativeSum[i];
                rows.negativeMax[i] = Math.max(rows.negativeMax[i], tileMax[i]);
                if (inTile(labels[r0 + i], c0, c1)) {
                    tileMax[i] = Math.max(tileMax[i], positive[i]);
                }
            }
            double[] shift = rows.raiseMax(tileMax);
            double[] labelExp = new double[t];
            for (int i = 0; i < t; i++) {
                if (inTile(labels[r0 + i], c0, c1)) {
                    labelExp[i] = Math.exp(positive[i] - shift[i]);
                }
            }
            s.subiColumnVector(Scratch.column(shift, t, type));
            Transforms.exp(s, false);
            rows.addSumExp(s.sum(1).toDoubleVector(), labelExp);
        }

        /**
         * Turns {@code s = exp(S - shift)} on columns [c0, c1) into dL/dS. In a single strip the shift
         * is the running max, so each row is still divided by its sum-exp; in pass 2 the shift already
         * is the log-sum-exp. At the label, w (softmax - 1) is written as -w times the other columns'
         * share of the denominator: the difference cancels when the label dominates its row.
         */
        private void scoreGradient(INDArray s, int c0, int c1, boolean divideBySumExp) {
            double[] coefficient = new double[t];
            for (int i = 0; i < t; i++) {
                double w = weights[r0 + i];
                coefficient[i] = divideBySumExp ? w / rows.sumExp[i] : w;
            }
            s.muliColumnVector(Scratch.column(coefficient, t, type));
            for (int i = 0; i < t; i++) {
                int label = labels[r0 + i];
                if (inTile(label, c0, c1)) {
                    s.putScalar(i, label - c0, -weights[r0 + i] * rows.otherShare(i));
                }
            }
        }

        /** dQ_rows (+)= scale dS K_cols and dK_cols += scale dS^T Q_rows. */
        private void applyScoreGradient(INDArray dScores, int c0, int c1, double dqBeta) {
            Nd4j.gemm(dScores, k.get(interval(c0, c1), all()), dqRows, false, false, scale, dqBeta);
            INDArray dkCols = dk.get(interval(c0, c1), all());
            Nd4j.gemm(dScores, qRows, dkCols, true, false, scale, 1.0);
        }

        @Override
        public ScoreStats stats() {
            return rowStats(
                    weights,
                    excluded,
                    m,
                    r0,
                    t,
                    rows::logSumExp,
                    i -> positive[i],
                    i -> rows.negativeSum[i],
                    i -> rows.negativeMax[i]);
        }
    }
}

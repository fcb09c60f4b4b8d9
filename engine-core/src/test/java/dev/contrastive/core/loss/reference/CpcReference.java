package dev.contrastive.core.loss.reference;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPC v2's InfoNCE in float64, fully materialised, straight from docs/losses.md.
 *
 * <p>For offset k and every row (b, r, c) with r < H - k: score to each of the B*H*W target patch
 * vectors = embScale * P_k[b, :, r, c] . T[b', :, r', c']; cross-entropy against label (b, r + k,
 * c); L_k = mean over rows; loss = sum_k L_k.
 *
 * <p>A shard [start, start + count) keeps the rows of its images only, still divided by the batch's
 * row count, with their diagnostics and the gradients they give every input.
 */
public final class CpcReference {

    private CpcReference() {}

    /**
     * @param targets T, (B, D, H, W)
     * @param predictions P_k for k = stepsToSkip, stepsToSkip + 1, ..., each (B, D, H, W)
     */
    public static ReferenceResult compute(
            Tensor64 targets, List<Tensor64> predictions, int stepsToSkip, double embScale) {
        return compute(targets, predictions, stepsToSkip, embScale, 0, targets.dim(0));
    }

    /** The terms of the rows of images [start, start + count) only. */
    public static ReferenceResult compute(
            Tensor64 targets, List<Tensor64> predictions, int stepsToSkip, double embScale, int start, int count) {
        if (targets.rank() != 4) {
            throw new IllegalArgumentException("targets must be (B, D, H, W), got " + targets);
        }
        int batch = targets.dim(0);
        int dim = targets.dim(1);
        int height = targets.dim(2);
        int width = targets.dim(3);
        int hw = height * width;
        int candidates = batch * hw;

        // Candidate index (b' * H + r') * W + c' = b' * HW + l'.
        double[][] t = new double[candidates][dim];
        for (int b = 0; b < batch; b++) {
            for (int l = 0; l < hw; l++) {
                for (int d = 0; d < dim; d++) {
                    t[b * hw + l][d] = targets.data()[targets.mapIndex(b, d, l)];
                }
            }
        }
        Tensor64 gTargets = Tensor64.zeros(targets.shape());
        Map<String, Tensor64> grads = new LinkedHashMap<>();
        grads.put("targets", gTargets);
        Map<String, Double> parts = new LinkedHashMap<>();

        double loss = 0;
        PooledDiagnostics pooled = new PooledDiagnostics();
        for (int step = 0; step < predictions.size(); step++) {
            int k = stepsToSkip + step;
            Tensor64 p = predictions.get(step);
            if (p.rank() != 4 || !Arrays.equals(p.shape(), targets.shape())) {
                throw new IllegalArgumentException("prediction k" + k + " " + p + " must match " + targets);
            }
            if (height <= k) {
                throw new IllegalArgumentException("H = " + height + " must exceed offset " + k);
            }
            Tensor64 gp = Tensor64.zeros(p.shape());
            grads.put("pred_k" + k, gp);
            int rows = batch * (height - k) * width;
            double lk = 0;
            double[] score = new double[candidates];
            double[] pv = new double[dim];
            for (int b = start; b < start + count; b++) {
                for (int r = 0; r < height - k; r++) {
                    for (int c = 0; c < width; c++) {
                        int l = r * width + c;
                        for (int d = 0; d < dim; d++) {
                            pv[d] = p.data()[p.mapIndex(b, d, l)];
                        }
                        int label = b * hw + (r + k) * width + c;
                        double max = Double.NEGATIVE_INFINITY;
                        double maxOther = Double.NEGATIVE_INFINITY;
                        for (int q = 0; q < candidates; q++) {
                            score[q] = embScale * InfoNceReference.dot(pv, t[q]);
                            max = Math.max(max, score[q]);
                            pooled.score(score[q]);
                            if (q != label) {
                                maxOther = Math.max(maxOther, score[q]);
                                pooled.negative(score[q]);
                            }
                        }
                        double sum = 0;
                        for (int q = 0; q < candidates; q++) {
                            sum += Math.exp(score[q] - max);
                        }
                        double lse = max + Math.log(sum);
                        lk += (lse - score[label]) / rows;
                        pooled.positive(score[label], score[label] - maxOther);
                        // d(L_k)/d score_q = (softmax_q - [q == label]) / rows, at the label minus the other
                        // candidates' softmax mass (softmax_label - 1 cancels when the label dominates);
                        // score_q = e * p . t_q, so dp += e * g_q * t_q and dt_q += e * g_q * p.
                        double others = 0;
                        for (int q = 0; q < candidates; q++) {
                            if (q != label) {
                                others += Math.exp(score[q] - lse);
                            }
                        }
                        for (int q = 0; q < candidates; q++) {
                            double g = (q == label ? -others : Math.exp(score[q] - lse)) / rows * embScale;
                            int tb = q / hw;
                            int tl = q % hw;
                            for (int d = 0; d < dim; d++) {
                                gp.data()[gp.mapIndex(b, d, l)] += g * t[q][d];
                                gTargets.data()[gTargets.mapIndex(tb, d, tl)] += g * pv[d];
                            }
                        }
                    }
                }
            }
            parts.put("k" + k, lk);
            loss += lk;
        }
        return pooled.result(loss, parts, grads);
    }
}

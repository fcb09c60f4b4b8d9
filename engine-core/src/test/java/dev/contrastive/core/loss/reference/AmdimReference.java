package dev.contrastive.core.loss.reference;

import dev.contrastive.core.loss.AmdimComparison;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AMDIM's multi-scale NCE in float64, fully materialised, straight from docs/losses.md.
 *
 * <p>For each comparison (src, trg) and direction x->y: source vectors s_i (the sole location of
 * x.src, or location loc_i), targets t_jl = y.trg[j, :, l], raw_ijl = s_i . t_jl / sqrt(D), c_ijl =
 * tclip tanh(raw_ijl / tclip), l_il = -c_iil + log(exp(c_iil) + sum_{j != i, l'} exp(c_ijl')),
 * L_dir = mean_il l_il, reg_dir = w mean_ijl raw_ijl^2. Loss = sum_comparisons 0.5 (L_ab + L_ba) +
 * 0.5 sum_{comparisons, directions} reg_dir.
 *
 * <p>A shard [start, start + count) keeps the terms of its source images i only: their l_il (still
 * divided by B L) and their raw_ijl^2 (still divided by B^2 L), with their diagnostics and the
 * gradients they give every input. Source locations are the whole batch's, of which it reads the
 * shard's.
 */
public final class AmdimReference {

    private AmdimReference() {}

    /**
     * @param viewA map name -> (B, D, H, W) or (B, D)
     * @param viewB the other view, same names
     * @param locations source location per image, keyed {@code <src>_<trg>_<ab|ba>}; only read for
     *     source maps with more than one location
     */
    public static ReferenceResult compute(
            Map<String, Tensor64> viewA,
            Map<String, Tensor64> viewB,
            double tclip,
            double regWeight,
            List<AmdimComparison> comparisons,
            Map<String, int[]> locations) {
        return compute(
                viewA,
                viewB,
                tclip,
                regWeight,
                comparisons,
                locations,
                0,
                viewA.values().iterator().next().dim(0));
    }

    /** The terms of source images [start, start + count) only. */
    public static ReferenceResult compute(
            Map<String, Tensor64> viewA,
            Map<String, Tensor64> viewB,
            double tclip,
            double regWeight,
            List<AmdimComparison> comparisons,
            Map<String, int[]> locations,
            int start,
            int count) {
        Map<String, Tensor64> grads = new LinkedHashMap<>();
        viewA.forEach((name, map) -> grads.put("a_" + name, Tensor64.zeros(map.shape())));
        viewB.forEach((name, map) -> grads.put("b_" + name, Tensor64.zeros(map.shape())));

        Map<String, Double> parts = new LinkedHashMap<>();
        PooledDiagnostics pooled = new PooledDiagnostics();
        double regTotal = 0;
        for (AmdimComparison comparison : comparisons) {
            double nce = 0;
            for (boolean ab : new boolean[] {true, false}) {
                Map<String, Tensor64> x = ab ? viewA : viewB;
                Map<String, Tensor64> y = ab ? viewB : viewA;
                String xs = ab ? "a_" : "b_";
                String ys = ab ? "b_" : "a_";
                Tensor64 src = require(x, comparison.source());
                Tensor64 trg = require(y, comparison.target());
                int[] loc = sourceLocations(src, comparison.samplerKey(ab), locations);
                Direction d = direction(
                        src,
                        loc,
                        trg,
                        tclip,
                        regWeight,
                        grads.get(xs + comparison.source()),
                        grads.get(ys + comparison.target()),
                        pooled,
                        start,
                        count);
                nce += 0.5 * d.nce;
                regTotal += 0.5 * d.reg;
            }
            parts.put(comparison.name(), nce);
        }
        parts.put("reg", regTotal);
        double loss = 0;
        for (double p : parts.values()) {
            loss += p;
        }
        return pooled.result(loss, parts, grads);
    }

    private record Direction(double nce, double reg) {}

    /**
     * One directed comparison: returns L_dir and reg_dir, adds 0.5 * d(L_dir + reg_dir)/d(input) into
     * the gradient tensors (0.5 being the weight of each direction in the loss).
     */
    private static Direction direction(
            Tensor64 srcMap,
            int[] loc,
            Tensor64 trgMap,
            double tclip,
            double w,
            Tensor64 srcGrad,
            Tensor64 trgGrad,
            PooledDiagnostics pooled,
            int start,
            int count) {
        int batch = srcMap.dim(0);
        int dim = srcMap.dim(1);
        int nl = trgMap.locations();
        if (trgMap.dim(0) != batch || trgMap.dim(1) != dim) {
            throw new IllegalArgumentException("source " + srcMap + " and target " + trgMap + " differ");
        }
        double sqrtD = Math.sqrt(dim);

        double[][] s = new double[batch][dim];
        for (int i = 0; i < batch; i++) {
            for (int d = 0; d < dim; d++) {
                s[i][d] = srcMap.data()[srcMap.mapIndex(i, d, loc[i])];
            }
        }
        double[][][] t = new double[batch][nl][dim];
        for (int j = 0; j < batch; j++) {
            for (int l = 0; l < nl; l++) {
                for (int d = 0; d < dim; d++) {
                    t[j][l][d] = trgMap.data()[trgMap.mapIndex(j, d, l)];
                }
            }
        }
        double[][][] raw = new double[batch][batch][nl];
        double[][][] c = new double[batch][batch][nl];
        double regSum = 0;
        for (int i = start; i < start + count; i++) {
            for (int j = 0; j < batch; j++) {
                for (int l = 0; l < nl; l++) {
                    raw[i][j][l] = InfoNceReference.dot(s[i], t[j][l]) / sqrtD;
                    c[i][j][l] = tclip * Math.tanh(raw[i][j][l] / tclip);
                    regSum += raw[i][j][l] * raw[i][j][l];
                    pooled.score(c[i][j][l]);
                }
            }
        }
        double reg = w * regSum / ((double) batch * batch * nl);

        // For each i the negatives {c_ijl' : j != i} are shared by all of i's positives; their
        // log-sum-exp negLse_i (-inf when B = 1) combines with each positive: log Z_il =
        // logaddexp(c_iil, negLse_i).
        double dirWeight = 0.5 / ((double) batch * nl);
        double[][][] gc = new double[batch][batch][nl];
        double nce = 0;
        for (int i = start; i < start + count; i++) {
            double negMax = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < batch; j++) {
                for (int l = 0; l < nl; l++) {
                    if (j != i) {
                        negMax = Math.max(negMax, c[i][j][l]);
                    }
                }
            }
            double negSumExp = 0;
            for (int j = 0; j < batch; j++) {
                for (int l = 0; l < nl; l++) {
                    if (j != i) {
                        negSumExp += Math.exp(c[i][j][l] - negMax);
                        pooled.negative(c[i][j][l]);
                    }
                }
            }
            double negLse = batch == 1 ? Double.NEGATIVE_INFINITY : negMax + Math.log(negSumExp);
            for (int l = 0; l < nl; l++) {
                double pos = c[i][i][l];
                double m = Math.max(pos, negLse);
                double logZ = m + Math.log(Math.exp(pos - m) + Math.exp(negLse - m));
                nce += (logZ - pos) / ((double) batch * nl);
                // dl_il/dc_iil = p_pos - 1 = -exp(negLse - log Z_il), the negatives' share, taken directly
                // (p_pos - 1 cancels when the positive dominates); dl_il/dc_ijl' = exp(c_ijl' - log Z_il).
                gc[i][i][l] -= dirWeight * Math.exp(negLse - logZ);
                for (int j = 0; j < batch; j++) {
                    if (j != i) {
                        for (int l2 = 0; l2 < nl; l2++) {
                            gc[i][j][l2] += dirWeight * Math.exp(c[i][j][l2] - logZ);
                        }
                    }
                }
                pooled.positive(pos, pos - negMax);
            }
        }

        // dc/draw = sech^2(raw / tclip), computed from cosh so that saturated entries keep their (tiny)
        // value instead of cancelling in 1 - tanh^2. The regulariser adds
        // d(0.5 w mean raw^2)/draw = w raw / (B^2 L).
        double regScale = w / ((double) batch * batch * nl);
        for (int i = start; i < start + count; i++) {
            for (int j = 0; j < batch; j++) {
                for (int l = 0; l < nl; l++) {
                    double ch = Math.cosh(raw[i][j][l] / tclip);
                    double g = gc[i][j][l] / (ch * ch) + regScale * raw[i][j][l];
                    if (g == 0) {
                        continue;
                    }
                    // raw_ijl = s_i . t_jl / sqrt(D): ds_i += g t_jl / sqrt(D), dt_jl += g s_i / sqrt(D).
                    for (int d = 0; d < dim; d++) {
                        srcGrad.data()[srcMap.mapIndex(i, d, loc[i])] += g * t[j][l][d] / sqrtD;
                        trgGrad.data()[trgMap.mapIndex(j, d, l)] += g * s[i][d] / sqrtD;
                    }
                }
            }
        }
        return new Direction(nce, reg);
    }

    private static Tensor64 require(Map<String, Tensor64> view, String name) {
        Tensor64 map = view.get(name);
        if (map == null) {
            throw new IllegalArgumentException("no map '" + name + "' in " + view.keySet());
        }
        return map;
    }

    private static int[] sourceLocations(Tensor64 src, String key, Map<String, int[]> locations) {
        int batch = src.dim(0);
        if (src.locations() == 1) {
            return new int[batch];
        }
        int[] loc = locations.get(key);
        if (loc == null || loc.length != batch) {
            throw new IllegalArgumentException("need " + batch + " source locations under '" + key + "'");
        }
        for (int l : loc) {
            if (l < 0 || l >= src.locations()) {
                throw new IllegalArgumentException("source location " + l + " outside " + src);
            }
        }
        return loc;
    }
}

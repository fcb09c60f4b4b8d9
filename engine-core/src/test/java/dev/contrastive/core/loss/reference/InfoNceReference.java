package dev.contrastive.core.loss.reference;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * InfoNCE / NT-Xent in float64, fully materialised, straight from docs/losses.md.
 *
 * <p>Rows z_0..z_{B-1} are a, z_B..z_{2B-1} are b; optionally z_i <- z_i / max(||z_i||, 1e-12);
 * s_ij = z_i . z_j / tau; l_i = -s_{i,pos(i)} + log sum_{j != i} exp(s_ij), pos(i) = (i + B) mod
 * 2B; loss = mean_i l_i.
 *
 * <p>A shard [start, start + count) keeps the terms l_i of its anchor rows only (i and B + i for
 * its images i), still divided by 2B, with their diagnostics and the gradients they give every row.
 */
public final class InfoNceReference {

    /** Norm floor of the normalisation, as in the spec. */
    static final double NORM_FLOOR = 1e-12;

    private InfoNceReference() {}

    public static ReferenceResult compute(Tensor64 a, Tensor64 b, double tau, boolean normalize) {
        return compute(a, b, tau, normalize, 0, a.dim(0));
    }

    /** The terms of anchor images [start, start + count) only. */
    public static ReferenceResult compute(Tensor64 a, Tensor64 b, double tau, boolean normalize, int start, int count) {
        if (a.rank() != 2 || b.rank() != 2 || a.dim(0) != b.dim(0) || a.dim(1) != b.dim(1)) {
            throw new IllegalArgumentException("a and b must both be (B, D), got " + a + " and " + b);
        }
        int batch = a.dim(0);
        int dim = a.dim(1);
        int n = 2 * batch;

        double[][] x = new double[n][dim];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(a.data(), i * dim, x[i], 0, dim);
            System.arraycopy(b.data(), i * dim, x[batch + i], 0, dim);
        }
        double[] norm = new double[n];
        double[][] z = new double[n][];
        for (int i = 0; i < n; i++) {
            norm[i] = normalize ? Math.max(Math.sqrt(dot(x[i], x[i])), NORM_FLOOR) : 1.0;
            z[i] = scale(x[i], 1.0 / norm[i]);
        }

        boolean[] anchor = new boolean[n];
        for (int i = start; i < start + count; i++) {
            anchor[i] = true;
            anchor[batch + i] = true;
        }
        double[][] s = new double[n][n];
        PooledDiagnostics pooled = new PooledDiagnostics();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                s[i][j] = dot(z[i], z[j]) / tau;
                if (j != i && anchor[i]) {
                    pooled.score(s[i][j]);
                }
            }
        }

        // Loss and dLoss/ds: for j != i, dl_i/ds_ij = softmax_{j != i}(s_i.)_j - [j == pos(i)], and the
        // mean over the 2B rows divides by n. At the positive that is minus the other columns' softmax
        // mass, summed directly: softmax_pos - 1 cancels when the positive dominates its row.
        double loss = 0;
        double[][] gs = new double[n][n];
        for (int i = 0; i < n; i++) {
            if (!anchor[i]) {
                continue;
            }
            int pos = (i + batch) % n;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    max = Math.max(max, s[i][j]);
                }
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    sum += Math.exp(s[i][j] - max);
                }
            }
            double lse = max + Math.log(sum);
            loss += (lse - s[i][pos]) / n;
            double others = 0;
            for (int j = 0; j < n; j++) {
                if (j != i && j != pos) {
                    gs[i][j] = Math.exp(s[i][j] - lse) / n;
                    others += gs[i][j];
                }
            }
            gs[i][pos] = -others;

            double maxNeg = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (j != i && j != pos) {
                    pooled.negative(s[i][j]);
                    maxNeg = Math.max(maxNeg, s[i][j]);
                }
            }
            // With B = 1 there is no negative: the margin is +inf and the row counts as correct (spec).
            pooled.positive(s[i][pos], s[i][pos] - maxNeg);
        }

        // s_ij = z_i . z_j / tau, so dL/dz_i = sum_j (gs_ij + gs_ji) z_j / tau.
        double[][] gz = new double[n][dim];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double w = (gs[i][j] + gs[j][i]) / tau;
                if (w != 0) {
                    for (int d = 0; d < dim; d++) {
                        gz[i][d] += w * z[j][d];
                    }
                }
            }
        }
        // Normalisation z = x / ||x||: dz/dx = (I - z z^T) / ||x||, so dL/dx = (g - z (z . g)) / ||x||.
        // Below the floor the divisor is the constant 1e-12 and dL/dx = g / 1e-12.
        double[][] gx = new double[n][];
        for (int i = 0; i < n; i++) {
            if (!normalize) {
                gx[i] = gz[i];
            } else if (norm[i] > NORM_FLOOR) {
                double zg = dot(z[i], gz[i]);
                gx[i] = new double[dim];
                for (int d = 0; d < dim; d++) {
                    gx[i][d] = (gz[i][d] - z[i][d] * zg) / norm[i];
                }
            } else {
                gx[i] = scale(gz[i], 1.0 / NORM_FLOOR);
            }
        }
        Tensor64 ga = Tensor64.zeros(batch, dim);
        Tensor64 gb = Tensor64.zeros(batch, dim);
        for (int i = 0; i < batch; i++) {
            System.arraycopy(gx[i], 0, ga.data(), i * dim, dim);
            System.arraycopy(gx[batch + i], 0, gb.data(), i * dim, dim);
        }

        Map<String, Double> parts = new LinkedHashMap<>();
        parts.put("nce", loss);
        Map<String, Tensor64> grads = new LinkedHashMap<>();
        grads.put("a", ga);
        grads.put("b", gb);
        return pooled.result(loss, parts, grads);
    }

    static double dot(double[] u, double[] v) {
        double s = 0;
        for (int d = 0; d < u.length; d++) {
            s += u[d] * v[d];
        }
        return s;
    }

    private static double[] scale(double[] u, double f) {
        double[] r = Arrays.copyOf(u, u.length);
        for (int d = 0; d < r.length; d++) {
            r[d] *= f;
        }
        return r;
    }
}

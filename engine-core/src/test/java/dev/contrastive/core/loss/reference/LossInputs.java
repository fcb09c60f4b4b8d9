package dev.contrastive.core.loss.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contrastive.core.kernel.Tiling;
import dev.contrastive.core.loss.AmdimComparison;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.SourceSampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Seeded float32 inputs of each loss for {@link FusedLossEquivalenceTest} and {@link
 * ShardedLossEquivalenceTest}, so that both suites build a case's features, sampled locations and
 * sampler the same way (and from the same draws of the case's generator).
 */
final class LossInputs {

    /** Noise per component of "saturated" AMDIM and YADIM features. */
    static final double ALIGNED_NOISE = 0.05;

    private static final String[] AMDIM_MAPS = {"r1", "r5", "r7"};

    private LossInputs() {}

    /** The two views of one case. */
    record Views<T>(T a, T b) {}

    /** CPC's target map and one prediction map per predicted offset. */
    record CpcInputs(Tensor64 targets, List<Tensor64> predictions) {}

    /** A tiling as the case names print it, rows x columns. */
    static String describe(Tiling tiling) {
        return tiling.rows() + "x" + tiling.columns();
    }

    /**
     * InfoNCE's (B, D) views: "random", "identical" (every a row equal, every b row equal), "zeroRow"
     * (b's second row all zero) or "saturated" (b = a + small noise on unit rows).
     */
    static Views<Tensor64> infoNceViews(
            SplittableRandom rng, int batch, int dim, double tau, boolean normalize, String features) {
        // Unnormalised scores are ~ D scale^2 / tau: scale so that they stay O(10) at any temperature.
        double scale = normalize ? 1.0 : Math.sqrt(4 * tau / dim);
        if (features.equals("identical")) {
            return new Views<>(
                    repeatRows(floatGaussian(rng, scale, 1, dim), batch),
                    repeatRows(floatGaussian(rng, scale, 1, dim), batch));
        }
        if (features.equals("saturated")) {
            double[][] directions = unitRows(rng, batch, dim);
            return new Views<>(
                    aligned(rng, directions, 1, 0, batch, dim), aligned(rng, directions, 1, 0.01, batch, dim));
        }
        Tensor64 a = floatGaussian(rng, scale, batch, dim);
        Tensor64 b = floatGaussian(rng, scale, batch, dim);
        if (features.equals("zeroRow")) {
            Arrays.fill(b.data(), dim, 2 * dim, 0.0);
        }
        return new Views<>(a, b);
    }

    /**
     * AMDIM's views, maps r1, r5 and r7 of the given shapes (batch first): "saturated" aligns image
     * i's every location with the i-th of orthonormal directions; otherwise {@link #features}.
     */
    static Views<Map<String, Tensor64>> amdimViews(
            SplittableRandom rng, long[][] shapes, double featureScale, String features) {
        double[][] directions =
                features.equals("saturated") ? orthonormalRows(rng, (int) shapes[0][0], (int) shapes[0][1]) : null;
        List<Map<String, Tensor64>> views = new ArrayList<>();
        for (int v = 0; v < 2; v++) {
            Map<String, Tensor64> view = new LinkedHashMap<>();
            for (int m = 0; m < AMDIM_MAPS.length; m++) {
                view.put(
                        AMDIM_MAPS[m],
                        directions != null
                                ? aligned(rng, directions, featureScale, ALIGNED_NOISE, shapes[m])
                                : features(rng, featureScale, features.equals("identical"), shapes[m]));
            }
            views.add(view);
        }
        return new Views<>(views.get(0), views.get(1));
    }

    /** Given source locations for every comparison whose source map has more than one location. */
    static Map<String, int[]> amdimLocations(
            SplittableRandom rng, List<AmdimComparison> comparisons, Map<String, Tensor64> a, int batch) {
        Map<String, int[]> given = new LinkedHashMap<>();
        for (AmdimComparison comparison : comparisons) {
            int locations = a.get(comparison.source()).locations();
            for (boolean ab : new boolean[] {true, false}) {
                if (locations > 1) {
                    given.put(
                            comparison.samplerKey(ab),
                            rng.ints(batch, 0, locations).toArray());
                }
            }
        }
        return given;
    }

    /**
     * YADIM's views of one shape: "saturated" as in {@link #amdimViews}, otherwise {@link #features}.
     */
    static Views<Tensor64> yadimViews(SplittableRandom rng, long[] shape, double featureScale, String features) {
        if (features.equals("saturated")) {
            double[][] directions = orthonormalRows(rng, (int) shape[0], (int) shape[1]);
            return new Views<>(
                    aligned(rng, directions, featureScale, ALIGNED_NOISE, shape),
                    aligned(rng, directions, featureScale, ALIGNED_NOISE, shape));
        }
        boolean identical = features.equals("identical");
        return new Views<>(
                features(rng, featureScale, identical, shape), features(rng, featureScale, identical, shape));
    }

    /** Given source locations of YADIM's one comparison, both ways, when the map has several. */
    static Map<String, int[]> yadimLocations(SplittableRandom rng, Tensor64 a) {
        Map<String, int[]> given = new LinkedHashMap<>();
        int batch = a.dim(0);
        if (a.locations() > 1) {
            given.put("last_last_ab", rng.ints(batch, 0, a.locations()).toArray());
            given.put("last_last_ba", rng.ints(batch, 0, a.locations()).toArray());
        }
        return given;
    }

    /** The case's own random draw, or the given locations. */
    static SourceSampler sampler(boolean random, long seed, Map<String, int[]> given) {
        return random ? SourceSampler.random(seed) : SourceSampler.fixed(given);
    }

    /**
     * CPC's targets and {@code predict} prediction maps of one (B, D, H, W) shape: "saturated" makes
     * every target patch a unit vector and each prediction nearly hit its labels; otherwise {@link
     * #features}.
     */
    static CpcInputs cpcInputs(SplittableRandom rng, long[] shape, int skip, int predict, String features) {
        List<Tensor64> predictions = new ArrayList<>();
        Tensor64 targets;
        if (features.equals("saturated")) {
            targets = unitPatches(rng, shape);
            for (int s = 0; s < predict; s++) {
                predictions.add(nearTargets(rng, targets, skip + s, 0.01));
            }
        } else {
            boolean identical = features.equals("identical");
            targets = features(rng, 1, identical, shape);
            for (int s = 0; s < predict; s++) {
                predictions.add(features(rng, 1, identical, shape));
            }
        }
        return new CpcInputs(targets, predictions);
    }

    static Map<String, INDArray> toNd4j(Map<String, Tensor64> view, DataType type) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        view.forEach((name, t) -> out.put(name, t.toNd4j(type)));
        return out;
    }

    static void assertLocationsEqual(String what, Map<String, int[]> expected, Map<String, int[]> actual) {
        assertEquals(expected.keySet(), actual.keySet(), what + " keys");
        expected.forEach((key, loc) -> assertArrayEquals(loc, actual.get(key), what + " " + key));
    }

    /** The locations a result used, checked against the given ones when the sampler was fixed. */
    static Map<String, int[]> usedLocations(
            Object c, boolean randomSampler, Map<String, int[]> given, LossResult fused) {
        Map<String, int[]> used = fused.sourceLocations();
        if (!randomSampler) {
            assertLocationsEqual(c + ": sourceLocations", given, used);
        }
        return used;
    }

    /** Random float32 features, or (identical) one random image repeated over the batch. */
    static Tensor64 features(SplittableRandom rng, double scale, boolean identical, long... shape) {
        if (!identical) {
            return floatGaussian(rng, scale, shape);
        }
        long[] one = shape.clone();
        one[0] = 1;
        return repeatRows(floatGaussian(rng, scale, one), (int) shape[0]);
    }

    /** Gaussian values rounded to float32, so that both implementations see the same numbers. */
    static Tensor64 floatGaussian(SplittableRandom rng, double scale, long... shape) {
        Tensor64 t = Tensor64.zeros(shape);
        for (int i = 0; i < t.data().length; i++) {
            t.data()[i] = (float) (scale * rng.nextGaussian());
        }
        return t;
    }

    /** Random unit vectors, one per row. */
    static double[][] unitRows(SplittableRandom rng, int rows, int dim) {
        double[][] u = new double[rows][dim];
        for (double[] row : u) {
            for (int d = 0; d < dim; d++) {
                row[d] = rng.nextGaussian();
            }
            normalize(row);
        }
        return u;
    }

    /** Random orthonormal rows (Gram-Schmidt on Gaussian ones); needs rows <= dim. */
    static double[][] orthonormalRows(SplittableRandom rng, int rows, int dim) {
        double[][] u = unitRows(rng, rows, dim);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < i; j++) {
                double along = InfoNceReference.dot(u[i], u[j]);
                for (int d = 0; d < dim; d++) {
                    u[i][d] -= along * u[j][d];
                }
            }
            normalize(u[i]);
        }
        return u;
    }

    private static void normalize(double[] v) {
        double norm = Math.sqrt(InfoNceReference.dot(v, v));
        for (int d = 0; d < v.length; d++) {
            v[d] /= norm;
        }
    }

    /**
     * A float32 map (B, D) or (B, D, H, W) whose every location of image b is {@code radius *
     * directions[b]} plus Gaussian noise of standard deviation {@code noise} per component.
     */
    static Tensor64 aligned(SplittableRandom rng, double[][] directions, double radius, double noise, long... shape) {
        Tensor64 t = Tensor64.zeros(shape);
        for (int b = 0; b < t.dim(0); b++) {
            for (int d = 0; d < t.dim(1); d++) {
                for (int l = 0; l < t.locations(); l++) {
                    t.data()[t.mapIndex(b, d, l)] = (float) (radius * directions[b][d] + noise * rng.nextGaussian());
                }
            }
        }
        return t;
    }

    /** A float32 (B, D, H, W) map whose every patch vector is a random unit vector. */
    static Tensor64 unitPatches(SplittableRandom rng, long... shape) {
        Tensor64 t = Tensor64.zeros(shape);
        for (int b = 0; b < t.dim(0); b++) {
            double[][] patches = unitRows(rng, t.locations(), t.dim(1));
            for (int l = 0; l < t.locations(); l++) {
                for (int d = 0; d < t.dim(1); d++) {
                    t.data()[t.mapIndex(b, d, l)] = (float) patches[l][d];
                }
            }
        }
        return t;
    }

    /**
     * CPC predictions for offset k that nearly hit their labels: each patch is the target patch k
     * rows below plus Gaussian noise of standard deviation {@code noise} (rows with nothing k rows
     * below, which the loss ignores, are noise alone).
     */
    static Tensor64 nearTargets(SplittableRandom rng, Tensor64 targets, int k, double noise) {
        Tensor64 p = Tensor64.zeros(targets.shape());
        int below = k * targets.dim(3);
        for (int b = 0; b < p.dim(0); b++) {
            for (int d = 0; d < p.dim(1); d++) {
                for (int l = 0; l < p.locations(); l++) {
                    double target = l + below < p.locations() ? targets.data()[p.mapIndex(b, d, l + below)] : 0;
                    p.data()[p.mapIndex(b, d, l)] = (float) (target + noise * rng.nextGaussian());
                }
            }
        }
        return p;
    }

    /** {@code times} copies of the single image of {@code one} along the batch axis. */
    static Tensor64 repeatRows(Tensor64 one, int times) {
        long[] shape = one.shape().clone();
        shape[0] = times;
        double[] data = new double[one.data().length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(one.data(), 0, data, i * one.data().length, one.data().length);
        }
        return new Tensor64(data, shape);
    }
}

package dev.contrastive.core.loss.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.loss.AmdimComparison;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reference losses' analytic gradients against central finite differences of their own loss
 * value, in float64, for every loss and option. The fused losses are later held to these
 * references, so any slip in a hand derivation here would hide a fused bug.
 */
class ReferenceGradientCheckTest {

    /**
     * Central-difference step: truncation error ~ h^2 f''' and roundoff ~ 1e-16 |f| / h both ~ 1e-10.
     */
    private static final double H = 1e-6;

    /** Allowed error relative to the largest analytic gradient of the tensor. */
    private static final double REL = 1e-6;

    /**
     * Absolute floor for tensors whose true gradient is (near) zero: the roundoff of a central
     * difference of a loss of size ~10 is ~ 1e-16 * 10 / 1e-6 = 1e-9.
     */
    private static final double ABS = 1e-8;

    // ----------------------------------------------------------------------------------------
    // InfoNCE

    @ParameterizedTest(name = "B={0} D={1} tau={2} normalize={3}")
    @CsvSource({
        "3, 4, 0.1, true",
        "3, 4, 1.0, true",
        "3, 4, 5.0, true",
        "3, 4, 0.1, false",
        "3, 4, 1.0, false",
        "3, 4, 5.0, false",
        "1, 3, 0.5, true",
        "1, 3, 0.5, false",
        "4, 1, 0.7, false",
        "2, 5, 0.05, true"
    })
    void infoNce(int batch, int dim, double tau, boolean normalize) {
        SplittableRandom rng = new SplittableRandom(31L * batch + dim);
        // Unnormalised features at a low temperature give scores ~ |z|^2 / tau: keep them O(10).
        double scale = normalize ? 1.0 : Math.sqrt(tau);
        List<Tensor64> inputs = List.of(gaussian(rng, scale, batch, dim), gaussian(rng, scale, batch, dim));
        checkGradients(List.of("a", "b"), inputs, in -> InfoNceReference.compute(in.get(0), in.get(1), tau, normalize));
    }

    // ------------------------------------------------------------------------------------------
    // AMDIM

    @ParameterizedTest(name = "B={0} D={1} tclip={2} w={3} featureScale={4} comparisons={5}")
    @CsvSource({
        // the paper's comparisons, plain and soft-clipped
        "3, 3, 20, 0.05, 1, r1:r5 r1:r7 r5:r5",
        "3, 3, 20, 0, 1, r1:r5 r1:r7 r5:r5",
        "3, 3, 5, 0.05, 3, r1:r5 r1:r7 r5:r5",
        // tclip 1 with raw scores of several units: most scores sit on the flat part of tanh
        "3, 3, 1, 0, 4, r1:r5 r1:r7 r5:r5",
        "3, 3, 1, 0.5, 4, r1:r5 r1:r7 r5:r5",
        // custom comparison sets: sampled source onto a 1-location target, sampled onto sampled
        "3, 2, 10, 0.1, 1, r5:r1 r7:r7",
        "2, 4, 10, 2, 1, r7:r5",
        // B = 1: the NCE terms vanish, only the regulariser has a gradient
        "1, 3, 20, 0.05, 1, r1:r5 r1:r7 r5:r5",
        "1, 3, 20, 0, 1, r1:r5 r5:r5"
    })
    void amdim(int batch, int dim, double tclip, double w, double featureScale, String comparisons) {
        SplittableRandom rng = new SplittableRandom(7L * batch + dim);
        List<AmdimComparison> comps = parse(comparisons);
        // r1 as (B, D), r5 as a 2x2 map and r7 as a non-square 3x1 map (row-major locations).
        long[][] shapes = {{batch, dim}, {batch, dim, 2, 2}, {batch, dim, 3, 1}};
        String[] names = {"r1", "r5", "r7"};
        checkAmdim(rng, batch, tclip, w, featureScale, comps, names, shapes);
    }

    @Test
    void amdimOneLocationMapsGivenAsFourDimensional() {
        // L = 1 everywhere: r1 and r5 both (B, D, 1, 1); no sampling is needed.
        SplittableRandom rng = new SplittableRandom(11);
        checkAmdim(rng, 3, 10, 0.05, 1, parse("r1:r5 r5:r5"), new String[] {"r1", "r5"}, new long[][] {
            {3, 4, 1, 1}, {3, 4, 1, 1}
        });
    }

    private static void checkAmdim(
            SplittableRandom rng,
            int batch,
            double tclip,
            double w,
            double featureScale,
            List<AmdimComparison> comps,
            String[] names,
            long[][] shapes) {
        List<Tensor64> inputs = new ArrayList<>();
        List<String> gradNames = new ArrayList<>();
        for (String view : new String[] {"a", "b"}) {
            for (int m = 0; m < names.length; m++) {
                inputs.add(gaussian(rng, featureScale, shapes[m]));
                gradNames.add(view + "_" + names[m]);
            }
        }
        Map<String, int[]> locations = new LinkedHashMap<>();
        for (AmdimComparison c : comps) {
            for (boolean ab : new boolean[] {true, false}) {
                int nl = inputs.get(indexOf(names, c.source())).locations();
                locations.put(c.samplerKey(ab), rng.ints(batch, 0, nl).toArray());
            }
        }
        checkGradients(gradNames, inputs, in -> {
            Map<String, Tensor64> a = new LinkedHashMap<>();
            Map<String, Tensor64> b = new LinkedHashMap<>();
            for (int m = 0; m < names.length; m++) {
                a.put(names[m], in.get(m));
                b.put(names[m], in.get(names.length + m));
            }
            return AmdimReference.compute(a, b, tclip, w, comps, locations);
        });
    }

    // ------------------------------------------------------------------------------------------
    // YADIM

    @ParameterizedTest(name = "shape={0} tclip={1} w={2} featureScale={3}")
    @CsvSource({
        "3x4, 20, 0.05, 1",
        "3x2x2x3, 20, 0.05, 1",
        "3x2x2x3, 2, 0, 3",
        "2x3x3x1, 5, 1, 2",
        "1x2x2x2, 20, 0.05, 1"
    })
    void yadim(String shape, double tclip, double w, double featureScale) {
        long[] dims = Arrays.stream(shape.split("x")).mapToLong(Long::parseLong).toArray();
        SplittableRandom rng = new SplittableRandom(shape.hashCode());
        Tensor64 a = gaussian(rng, featureScale, dims);
        Tensor64 b = gaussian(rng, featureScale, dims);
        int batch = (int) dims[0];
        Map<String, int[]> locations = Map.of(
                "last_last_ab", rng.ints(batch, 0, a.locations()).toArray(),
                "last_last_ba", rng.ints(batch, 0, a.locations()).toArray());
        checkGradients(
                List.of("a", "b"),
                List.of(a, b),
                in -> YadimReference.compute(in.get(0), in.get(1), tclip, w, locations));
    }

    // --------------------------------------------------------------------------------------------
    // CPC

    @ParameterizedTest(name = "B={0} D={1} H={2} W={3} skip={4} predict={5} embScale={6}")
    @CsvSource({
        "2, 3, 5, 2, 2, 3, 0.1", // the defaults on the shortest grid they allow (H = max k + 1)
        "2, 3, 4, 3, 1, 1, 1.0",
        "2, 2, 4, 2, 1, 3, 1.0",
        "2, 3, 6, 1, 3, 1, 0.5",
        "1, 3, 3, 2, 1, 2, 1.0", // B = 1: the other rows of the same image are the only negatives
        "3, 2, 3, 1, 2, 1, 2.0" // W = 1 and a single row per image scored
    })
    void cpc(int batch, int dim, int height, int width, int skip, int predict, double embScale) {
        SplittableRandom rng = new SplittableRandom(101L * height + predict);
        List<Tensor64> inputs = new ArrayList<>();
        List<String> gradNames = new ArrayList<>();
        inputs.add(gaussian(rng, 1, batch, dim, height, width));
        gradNames.add("targets");
        for (int s = 0; s < predict; s++) {
            inputs.add(gaussian(rng, 1, batch, dim, height, width));
            gradNames.add("pred_k" + (skip + s));
        }
        checkGradients(
                gradNames, inputs, in -> CpcReference.compute(in.get(0), in.subList(1, in.size()), skip, embScale));
    }

    // ----------------------------------------------------------------------------------------
    // helpers

    /**
     * Compares every analytic gradient with central differences of the loss, one element at a time,
     * and checks that the parts sum to the loss.
     */
    static void checkGradients(
            List<String> gradNames, List<Tensor64> inputs, Function<List<Tensor64>, ReferenceResult> loss) {
        ReferenceResult base = loss.apply(inputs);
        double partSum =
                base.parts().values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(base.loss(), partSum, 1e-12 * Math.max(1, Math.abs(base.loss())), "sum of parts");
        for (int t = 0; t < inputs.size(); t++) {
            Tensor64 analytic = base.gradient(gradNames.get(t));
            double[] x = inputs.get(t).data();
            double maxErr = 0;
            int worst = -1;
            double worstFd = 0;
            for (int e = 0; e < x.length; e++) {
                double fd = (perturbed(inputs, t, e, H, loss) - perturbed(inputs, t, e, -H, loss)) / (2 * H);
                double err = Math.abs(fd - analytic.data()[e]);
                if (err > maxErr) {
                    maxErr = err;
                    worst = e;
                    worstFd = fd;
                }
            }
            double tol = REL * analytic.maxAbs() + ABS;
            assertTrue(
                    maxErr <= tol,
                    "gradient "
                            + gradNames.get(t)
                            + inputs.get(t)
                            + ": max |fd - analytic| = "
                            + maxErr
                            + " > "
                            + tol
                            + " at element "
                            + worst
                            + " (fd "
                            + worstFd
                            + ", analytic "
                            + (worst < 0 ? 0 : analytic.data()[worst])
                            + ")");
        }
    }

    private static double perturbed(
            List<Tensor64> inputs, int t, int e, double h, Function<List<Tensor64>, ReferenceResult> loss) {
        List<Tensor64> copy = new ArrayList<>(inputs);
        Tensor64 x = inputs.get(t).copy();
        x.data()[e] += h;
        copy.set(t, x);
        return loss.apply(copy).loss();
    }

    static Tensor64 gaussian(SplittableRandom rng, double scale, long... shape) {
        Tensor64 t = Tensor64.zeros(shape);
        for (int i = 0; i < t.data().length; i++) {
            t.data()[i] = scale * rng.nextGaussian();
        }
        return t;
    }

    private static List<AmdimComparison> parse(String spec) {
        return Arrays.stream(spec.split(" ")).map(AmdimComparison::parse).toList();
    }

    private static int indexOf(String[] names, String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }
}

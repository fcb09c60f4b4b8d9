package dev.contrastive.models.train.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.layers.NativeLayers;
import dev.contrastive.models.nn.Parameters;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class AdamTest {

    /** float32 against the float64 reference, norm-wise relative, over the whole flat array. */
    private static final double TOL = 1e-6;

    private static final int STEPS = 5;

    /** Two tensors (12 + 5 scalars) and a buffer the optimiser must leave alone. */
    private static Parameters params(DataType type, long seed) {
        Random r = new Random(seed);
        Parameters p = new Parameters(type);
        p.declare("w", new long[] {3, 4}, gaussian(r, 12));
        p.declareBuffer("runningMean", new long[] {2}, new double[] {0.25, -0.5});
        p.declare("b", new long[] {5}, gaussian(r, 5));
        return p.seal();
    }

    private static double[] gaussian(Random r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian();
        }
        return x;
    }

    /** Gradients rounded to float32 so that both sides see the same inputs. */
    private static double[][] gradients(long seed, int steps, int n) {
        Random r = new Random(seed);
        double[][] g = new double[steps][];
        for (int s = 0; s < steps; s++) {
            g[s] = new double[n];
            for (int i = 0; i < n; i++) {
                g[s][i] = (float) (r.nextGaussian() * (1 + s));
            }
        }
        return g;
    }

    private static void setGrads(Parameters p, double[] g) {
        p.flatGrads().assign(Nd4j.createFromArray(g));
    }

    private static double relative(double[] actual, double[] expected) {
        double diff = 0;
        double ref = 0;
        for (int i = 0; i < expected.length; i++) {
            diff += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            ref += expected[i] * expected[i];
        }
        return Math.sqrt(diff / ref);
    }

    /** Runs five steps with a varying rate in float32 and checks values, moments and norms. */
    private static double[] matchesReference(AdamOptions options) {
        Parameters p = params(DataType.FLOAT, 7);
        double[] buffers = p.flatBuffers().toDoubleVector();
        Adam adam = new Adam(options, p);
        TorchAdamReference ref = new TorchAdamReference(options, p.flatValues().toDoubleVector());
        double[][] grads = gradients(11, STEPS, 17);
        LearningRateSchedule schedule = new LearningRateSchedule.WarmUp(3, LearningRateSchedule.constant());
        for (int s = 0; s < STEPS; s++) {
            setGrads(p, grads[s]);
            double lr = options.lr() * schedule.factor(s + 1);
            double norm = adam.step(p, lr);
            double refNorm = ref.step(grads[s], lr);
            assertEquals(refNorm, norm, TOL * refNorm, "pre-clip norm at step " + (s + 1));
            String at = options + " step " + (s + 1);
            assertTrue(relative(p.flatValues().toDoubleVector(), ref.p) < TOL, "values differ, " + at);
            AdamState st = adam.exportState();
            assertEquals(s + 1, st.step());
            assertTrue(relative(st.m(), ref.m) < TOL, "first moment differs, " + at);
            assertTrue(relative(st.v(), ref.v) < TOL, "second moment differs, " + at);
            // Clipping works on a copy: the backward's gradients stay as written.
            assertArrayEquals(grads[s], p.flatGrads().toDoubleVector(), 0.0);
        }
        assertArrayEquals(buffers, p.flatBuffers().toDoubleVector(), 0.0, "buffers must not move");
        return ref.p;
    }

    private static final AdamOptions BASE = AdamOptions.builder()
            .lr(1e-2)
            .beta1(0.8)
            .beta2(0.999)
            .eps(1e-8)
            .weightDecay(0)
            .decoupled(false)
            .maxGradNorm(0)
            .build();

    @Test
    void plainAdamMatchesTorch() {
        matchesReference(BASE);
    }

    @Test
    void l2WeightDecayMatchesTorchAdam() {
        matchesReference(BASE.withWeightDecay(0.5, false));
    }

    @Test
    void decoupledWeightDecayMatchesTorchAdamW() {
        matchesReference(BASE.withWeightDecay(0.5, true));
    }

    @Test
    void clippingMatchesClipGradNorm() {
        // Gradients of 17 N(0, s^2) scalars have norms near 4s, so 1.5 clips every step.
        matchesReference(BASE.withMaxGradNorm(1.5).withWeightDecay(0.5, true));
        matchesReference(BASE.withMaxGradNorm(1.5).withWeightDecay(0.5, false));
        // Above every norm: no clipping.
        matchesReference(BASE.withMaxGradNorm(1e3));
    }

    /**
     * The tests above run float32 on the native one-sweep kernel where its library loads; the ND4J
     * whole-array path must match the same reference.
     */
    @Test
    void nd4jPathMatchesTorchToo() {
        boolean was = NativeLayers.isEnabled();
        try {
            NativeLayers.setEnabled(false);
            matchesReference(BASE);
            matchesReference(BASE.withMaxGradNorm(1.5).withWeightDecay(0.5, true));
            matchesReference(BASE.withMaxGradNorm(1.5).withWeightDecay(0.5, false));
        } finally {
            NativeLayers.setEnabled(was);
        }
    }

    @Test
    void theVariantsDifferByFarMoreThanTheTolerance() {
        // Guards the reference tests against passing because every variant gives the same numbers.
        double[] plain = matchesReference(BASE);
        double[] l2 = matchesReference(BASE.withWeightDecay(0.5, false));
        double[] decoupled = matchesReference(BASE.withWeightDecay(0.5, true));
        double[] clipped = matchesReference(BASE.withMaxGradNorm(1.5));
        assertTrue(relative(l2, plain) > 1000 * TOL);
        assertTrue(relative(decoupled, plain) > 1000 * TOL);
        assertTrue(relative(decoupled, l2) > 1000 * TOL);
        assertTrue(relative(clipped, plain) > 1000 * TOL);
    }

    @Test
    void biasCorrectionIsExactAtStepOne() {
        // At t = 1 the corrected moments are g and g^2, so the step is lr * g / (|g| + eps): lr *
        // sign(g) for |g| >> eps. Without correction it would be (1 - b1) / sqrt(1 - b2) times that.
        Parameters p = params(DataType.DOUBLE, 3);
        double[] before = p.flatValues().toDoubleVector();
        double[] g = gradients(5, 1, 17)[0];
        setGrads(p, g);
        double lr = 1e-3;
        AdamOptions o = AdamOptions.amdim().withWeightDecay(0, false);
        new Adam(o, p).step(p, lr);
        double[] after = p.flatValues().toDoubleVector();
        for (int i = 0; i < g.length; i++) {
            double expected = -lr * g[i] / (Math.abs(g[i]) + o.eps());
            assertEquals(expected, after[i] - before[i], 1e-12 * lr, "scalar " + i);
        }
    }

    @Test
    void exportImportContinuesBitIdentically() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            AdamOptions o = BASE.withWeightDecay(0.1, true).withMaxGradNorm(2);
            double[][] grads = gradients(13, 6, 17);

            Parameters straight = params(type, 9);
            Adam a = new Adam(o, straight);
            for (int s = 0; s < 6; s++) {
                setGrads(straight, grads[s]);
                a.step(straight, 1e-2 / (s + 1));
            }

            Parameters first = params(type, 9);
            Adam b = new Adam(o, first);
            for (int s = 0; s < 3; s++) {
                setGrads(first, grads[s]);
                b.step(first, 1e-2 / (s + 1));
            }
            AdamState saved = b.exportState();
            double[] savedValues = first.flatValues().toDoubleVector();

            // A fresh model and optimiser, as after a restart, loaded from the checkpointed arrays.
            Parameters resumed = params(type, 1234);
            resumed.flatValues().assign(Nd4j.createFromArray(savedValues));
            Adam c = new Adam(o, resumed);
            c.importState(saved);
            assertEquals(3, c.stepCount());
            for (int s = 3; s < 6; s++) {
                setGrads(resumed, grads[s]);
                c.step(resumed, 1e-2 / (s + 1));
            }
            assertArrayEquals(
                    straight.flatValues().toDoubleVector(),
                    resumed.flatValues().toDoubleVector(),
                    0.0,
                    type.toString());
            AdamState x = a.exportState();
            AdamState y = c.exportState();
            assertEquals(x.step(), y.step());
            assertArrayEquals(x.m(), y.m(), 0.0);
            assertArrayEquals(x.v(), y.v(), 0.0);
        }
    }

    @Test
    void stateIsCopiedInAndOut() {
        double[] m = {1, 2};
        AdamState s = new AdamState(1, m, new double[] {3, 4});
        m[0] = 99;
        s.m()[1] = 99;
        assertArrayEquals(new double[] {1, 2}, s.m(), 0.0);
    }

    @Test
    void mismatchedStateAndParametersAreRejected() {
        Parameters p = params(DataType.FLOAT, 1);
        Adam adam = new Adam(BASE, p);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> adam.importState(new AdamState(2, new double[3], new double[3])));
        assertEquals("adam state has 3 moments but the parameters have 17", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AdamState(1, new double[3], new double[2]));
        assertEquals("adamState.m and adamState.v must have the same length, got 3 and 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> adam.step(params(DataType.DOUBLE, 1), 1e-3));
        assertEquals("adam was built for 17 FLOAT parameters, got 17 DOUBLE", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> adam.step(p, Double.NaN));
        assertEquals("adam.step lr must be finite and >= 0, got NaN", e.getMessage());
    }
}

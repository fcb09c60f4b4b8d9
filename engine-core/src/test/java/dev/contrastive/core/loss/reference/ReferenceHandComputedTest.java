package dev.contrastive.core.loss.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.loss.AmdimComparison;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reference losses on cases small enough to work out by hand (D = 1 or constant vectors, so
 * every score is a product of two numbers). Finite differences only prove the gradients match the
 * reference's own loss; these pin the loss, parts and diagnostics to the spec itself.
 */
class ReferenceHandComputedTest {

    private static final double EPS = 1e-12;

    @Test
    void infoNceUnnormalised() {
        // z = (a0, a1, b0, b1) = (1, 0, 1, 0), tau = 1: s_ij = z_i z_j.
        // Rows 0 and 2: positive 1, negatives 0, 0 -> l = -1 + log(e + 2).
        // Rows 1 and 3: every score 0 -> l = log 3.
        ReferenceResult r =
                InfoNceReference.compute(t(new double[] {1, 0}, 2, 1), t(new double[] {1, 0}, 2, 1), 1, false);
        double expected = (Math.log(Math.E + 2) - 1 + Math.log(3)) / 2;
        assertEquals(expected, r.loss(), EPS);
        assertEquals(expected, r.parts().get("nce"), EPS);
        assertEquals(0.5, r.diagnostics().meanPositive(), EPS); // (1 + 0 + 1 + 0) / 4
        assertEquals(0.0, r.diagnostics().meanNegative(), EPS);
        assertEquals(0.5, r.diagnostics().accuracy(), EPS); // rows 1 and 3 tie at 0: misses
    }

    @Test
    void infoNceNormalisedOneDimensional() {
        // D = 1 normalised: z = sign(x) = (1, -1, 1, -1); tau = 0.5 so the positive scores 2 and the
        // two negatives -2 each: l = -2 + log(e^2 + 2 e^-2) = log(1 + 2 e^-4) for every row.
        ReferenceResult r =
                InfoNceReference.compute(t(new double[] {2, -3}, 2, 1), t(new double[] {0.5, -4}, 2, 1), 0.5, true);
        assertEquals(Math.log(1 + 2 * Math.exp(-4)), r.loss(), EPS);
        assertEquals(2.0, r.diagnostics().meanPositive(), EPS);
        assertEquals(-2.0, r.diagnostics().meanNegative(), EPS);
        assertEquals(1.0, r.diagnostics().accuracy(), EPS);
        // A 1-D unit vector cannot change under a small step: the gradient vanishes.
        assertEquals(0.0, r.gradient("a").maxAbs(), EPS);
        assertEquals(0.0, r.gradient("b").maxAbs(), EPS);
    }

    @Test
    void amdimOneToFive() {
        // D = 1, tclip 5, w 0.1, comparison r1 -> r5 with r5 a 1x2 map. C(x) = 5 tanh(x / 5).
        double w = 0.1;
        Map<String, Tensor64> a =
                Map.of("r1", t(new double[] {1, 0}, 2, 1), "r5", t(new double[] {0, 0, 1, -1}, 2, 1, 1, 2));
        Map<String, Tensor64> b =
                Map.of("r1", t(new double[] {0, 1}, 2, 1), "r5", t(new double[] {1, 2, 3, 0}, 2, 1, 1, 2));
        ReferenceResult r = AmdimReference.compute(a, b, 5, w, List.of(new AmdimComparison("r1", "r5")), Map.of());
        double c1 = c(1);
        double c2 = c(2);
        double c3 = c(3);
        // a -> b: source a.r1 = (1, 0), targets b.r5 = image 0: (1, 2), image 1: (3, 0).
        //   i = 0: positives C1, C2; negatives C3, C0 = 0.   i = 1: every score 0 -> log 3 twice.
        double lab = (-c1
                        + Math.log(Math.exp(c1) + Math.exp(c3) + 1)
                        + -c2
                        + Math.log(Math.exp(c2) + Math.exp(c3) + 1)
                        + 2 * Math.log(3))
                / 4;
        // b -> a: source b.r1 = (0, 1), targets a.r5 = image 0: (0, 0), image 1: (1, -1).
        //   i = 0: every score 0 -> log 3 twice.   i = 1: positives C1, -C1; negatives 0, 0.
        double lba = (2 * Math.log(3) + -c1 + Math.log(Math.exp(c1) + 2) + c1 + Math.log(Math.exp(-c1) + 2)) / 4;
        // reg: raw^2 sums to 1 + 4 + 9 = 14 (a -> b) and 1 + 1 = 2 (b -> a), over B*B*L = 8 entries
        // each.
        double reg = 0.5 * (w * 14 / 8 + w * 2 / 8);
        assertEquals(0.5 * (lab + lba), r.parts().get("r1->r5"), EPS);
        assertEquals(reg, r.parts().get("reg"), EPS);
        assertEquals(0.5 * (lab + lba) + reg, r.loss(), EPS);
        // Positives: C1, C2, 0, 0 (a -> b) and 0, 0, C1, -C1 (b -> a). Negatives: C3, 0, 0, 0 and four
        // 0s.
        assertEquals((c1 + c2) / 8, r.diagnostics().meanPositive(), EPS);
        assertEquals(c3 / 8, r.diagnostics().meanNegative(), EPS);
        // Only b -> a's (i = 1, l = 0) beats its negatives: C1 > 0. The 0 = 0 ties are misses.
        assertEquals(1.0 / 8, r.diagnostics().accuracy(), EPS);
    }

    @Test
    void amdimSampledSourceSingleImage() {
        // B = 1: every NCE term is -c + log(exp(c)) = 0, so the loss is the regulariser alone, and it
        // depends on which source location was taken. Comparison r5 -> r5, 1x2 maps, D = 1, tclip 20.
        double w = 0.2;
        Map<String, Tensor64> a = Map.of("r5", t(new double[] {2, 3}, 1, 1, 1, 2));
        Map<String, Tensor64> b = Map.of("r5", t(new double[] {1, -1}, 1, 1, 1, 2));
        Map<String, int[]> loc = Map.of("r5_r5_ab", new int[] {1}, "r5_r5_ba", new int[] {0});
        ReferenceResult r = AmdimReference.compute(a, b, 20, w, List.of(new AmdimComparison("r5", "r5")), loc);
        // a -> b: source a.r5[loc 1] = 3, raw (3, -3), mean raw^2 = 9.
        // b -> a: source b.r5[loc 0] = 1, raw (2, 3), mean raw^2 = 6.5.
        assertEquals(0.0, r.parts().get("r5->r5"), EPS);
        assertEquals(0.5 * w * (9 + 6.5), r.parts().get("reg"), EPS);
        assertEquals(0.5 * w * (9 + 6.5), r.loss(), EPS);
        double cc2 = 20 * Math.tanh(2.0 / 20);
        double cc3 = 20 * Math.tanh(3.0 / 20);
        assertEquals((cc3 - cc3 + cc2 + cc3) / 4, r.diagnostics().meanPositive(), EPS);
        assertTrue(Double.isNaN(r.diagnostics().meanNegative()), "no negatives when B = 1");
        assertEquals(1.0, r.diagnostics().accuracy(), EPS);
        // Only the sampled location of a source map gets a source gradient: a.r5 location 0 is only
        // ever a
        // target (b -> a), location 1 is both; b.r5 location 1 is only a target of a -> b.
        // d reg / d a.r5[0] = 0.5 w * 2 * raw(b->a, l=0) * b_src / L = 0.5 * w * 2 * 2 * 1 / 2.
        assertEquals(0.5 * w * 2 * 2 * 1 / 2, r.gradient("a_r5").data()[0], EPS);
    }

    @Test
    void yadimScalesBySqrtD() {
        // D = 4 so sqrt(D) = 2: a = (1,1,1,1), (0,0,0,0); b = (0,0,0,0), (1,1,1,1). The only non-zero
        // raw score is a_0 . b_1 / 2 = 2, in a -> b at (i 0, j 1) and in b -> a at (i 1, j 0): a
        // negative each. Each direction: one row -0 + log(1 + e^C2), the other -0 + log(1 + 1) = log 2.
        double w = 0.05;
        ReferenceResult r = YadimReference.compute(
                t(new double[] {1, 1, 1, 1, 0, 0, 0, 0}, 2, 4),
                t(new double[] {0, 0, 0, 0, 1, 1, 1, 1}, 2, 4),
                20,
                w,
                Map.of());
        double c2 = c20(2);
        double nce = (Math.log(1 + Math.exp(c2)) + Math.log(2)) / 2;
        assertEquals(nce, r.parts().get("last->last"), EPS);
        assertEquals(0.5 * 2 * w * 4 / 4, r.parts().get("reg"), EPS); // raw^2 = 4 once in 4 entries
        assertEquals(nce + w, r.loss(), EPS);
        assertEquals(0.0, r.diagnostics().meanPositive(), EPS);
        assertEquals(c2 / 2, r.diagnostics().meanNegative(), EPS); // (C2 + 0) per direction
        assertEquals(0.0, r.diagnostics().accuracy(), EPS); // 0 > C2 false, 0 > 0 a tie
    }

    @Test
    void cpcTwoImages() {
        // B = 2, D = 1, H = 2, W = 1, one offset k = 1, embScale 0.5. Candidates: T = (1, 2 | 0, -1).
        // Row (0, 0): P = 2, scores 0.5 * 2 * T = (1, 2, 0, -1), label (0, 1) -> 2.
        // Row (1, 0): P = 1, scores (0.5, 1, 0, -0.5), label (1, 1) -> -0.5.
        // Rows r = 1 (P = 7 and 9) have no target k rows below: unscored.
        ReferenceResult r = CpcReference.compute(
                t(new double[] {1, 2, 0, -1}, 2, 1, 2, 1), List.of(t(new double[] {2, 7, 1, 9}, 2, 1, 2, 1)), 1, 0.5);
        double row0 = -2 + Math.log(Math.E + Math.exp(2) + 1 + Math.exp(-1));
        double row1 = 0.5 + Math.log(Math.exp(0.5) + Math.E + 1 + Math.exp(-0.5));
        assertEquals((row0 + row1) / 2, r.parts().get("k1"), EPS);
        assertEquals((row0 + row1) / 2, r.loss(), EPS);
        assertEquals((2 - 0.5) / 2, r.diagnostics().meanPositive(), EPS);
        assertEquals((1 + 0 - 1 + 0.5 + 1 + 0) / 6, r.diagnostics().meanNegative(), EPS);
        assertEquals(0.5, r.diagnostics().accuracy(), EPS); // row 0 wins, row 1 loses
        Tensor64 gp = r.gradient("pred_k1");
        assertEquals(0.0, gp.data()[1], 0.0, "unscored row r = 1 of image 0");
        assertEquals(0.0, gp.data()[3], 0.0, "unscored row r = 1 of image 1");
    }

    /** AMDIM's soft clip at tclip 5. */
    private static double c(double raw) {
        return 5 * Math.tanh(raw / 5);
    }

    private static double c20(double raw) {
        return 20 * Math.tanh(raw / 20);
    }

    private static Tensor64 t(double[] data, long... shape) {
        return new Tensor64(data, shape);
    }
}

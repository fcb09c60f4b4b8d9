package dev.contrastive.core.loss.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.loss.Diagnostics;
import dev.contrastive.core.loss.InfoNceLoss;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Tiling;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fused float32 losses against the float64 references: loss, parts, diagnostics and every gradient,
 * over many seeded random shapes plus the edge cases (B = 1, B not a multiple of the tile, one-element
 * and huge tiles, identical features, saturated clipping, extreme temperatures).
 *
 * <p>Inputs are generated as float32 values, so the reference sees exactly what the fused loss sees and
 * every difference is the fused loss's own float32 arithmetic.
 */
class FusedLossEquivalenceTest {

  /** Gradients: max |g - ref| <= REL * max |ref| + GRAD_FLOOR per tensor. */
  private static final double REL = 1e-4;

  /** Only for tensors whose reference gradient is (near) all zero. */
  private static final double GRAD_FLOOR = 1e-7;

  /**
   * Scalars (loss, parts, mean scores) also get an absolute allowance of SCORE_ROUNDING * max |score|:
   * each float32 score carries a rounding error ~ 6e-8 |score|, and a loss near 0 (well separated
   * batch, B = 1) has no relative precision to spare.
   */
  private static final double SCORE_ROUNDING = 1e-6;

  /**
   * A positive whose reference margin over its best negative is within this (times max(1, max |score|))
   * may flip in float32; every other accuracy vote must agree exactly.
   */
  private static final double TIE = 1e-5;

  /** Tile shapes: one element, odd small tiles that split images, and one tile covering everything. */
  private static final Tiling[] TILINGS = {
    new Tiling(3, 5), new Tiling(1, 1), new Tiling(2, 7), new Tiling(5, 3), new Tiling(1, 64),
    new Tiling(64, 1), new Tiling(4096, 1 << 20), Tiling.DEFAULT
  };

  private static final double[] TEMPERATURES = {0.01, 0.05, 0.1, 0.5, 1, 10};

  // ---------------------------------------------------------------------------------------- InfoNCE

  /**
   * @param features "random", "identical" (every a row equal, every b row equal) or "zeroRow" (one
   *     all-zero row, which normalisation divides by the 1e-12 floor)
   */
  record InfoNceCase(long seed, int batch, int dim, double tau, boolean normalize, Tiling tiling,
      String features) {
    @Override
    public String toString() {
      return "seed=" + seed + " B=" + batch + " D=" + dim + " tau=" + tau + " normalize=" + normalize
          + " tiling=" + tiling.rows() + "x" + tiling.columns() + " " + features;
    }
  }

  static Stream<InfoNceCase> infoNceCases() {
    List<InfoNceCase> cases = new ArrayList<>();
    cases.add(new InfoNceCase(1, 1, 8, 0.1, true, new Tiling(3, 5), "random"));
    cases.add(new InfoNceCase(2, 1, 3, 0.5, false, new Tiling(1, 1), "random"));
    cases.add(new InfoNceCase(3, 7, 6, 0.1, true, new Tiling(3, 5), "random"));
    cases.add(new InfoNceCase(4, 5, 4, 0.2, true, new Tiling(1, 1), "random"));
    cases.add(new InfoNceCase(5, 9, 5, 0.1, true, new Tiling(4096, 1 << 20), "random"));
    cases.add(new InfoNceCase(6, 6, 5, 0.1, true, new Tiling(3, 5), "identical"));
    cases.add(new InfoNceCase(7, 4, 3, 1.0, false, new Tiling(1, 1), "identical"));
    cases.add(new InfoNceCase(8, 8, 16, 0.01, true, new Tiling(3, 5), "random"));
    cases.add(new InfoNceCase(9, 8, 16, 10, true, new Tiling(2, 7), "random"));
    cases.add(new InfoNceCase(10, 8, 16, 0.01, false, new Tiling(5, 3), "random"));
    cases.add(new InfoNceCase(11, 8, 16, 10, false, new Tiling(4096, 1 << 20), "random"));
    cases.add(new InfoNceCase(12, 6, 1, 0.3, false, new Tiling(3, 5), "random"));
    cases.add(new InfoNceCase(13, 5, 4, 0.1, true, new Tiling(3, 5), "zeroRow"));
    SplittableRandom rng = new SplittableRandom(20240601);
    while (cases.size() < 50) {
      cases.add(
          new InfoNceCase(
              100 + cases.size(),
              1 + rng.nextInt(12),
              1 + rng.nextInt(16),
              TEMPERATURES[rng.nextInt(TEMPERATURES.length)],
              rng.nextBoolean(),
              TILINGS[rng.nextInt(TILINGS.length)],
              "random"));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("infoNceCases")
  void infoNce(InfoNceCase c) {
    SplittableRandom rng = new SplittableRandom(c.seed());
    // Unnormalised scores are ~ D scale^2 / tau: scale so that they stay O(10) at any temperature.
    double scale = c.normalize() ? 1.0 : Math.sqrt(4 * c.tau() / c.dim());
    Tensor64 a;
    Tensor64 b;
    if (c.features().equals("identical")) {
      a = repeatRows(floatGaussian(rng, scale, 1, c.dim()), c.batch());
      b = repeatRows(floatGaussian(rng, scale, 1, c.dim()), c.batch());
    } else {
      a = floatGaussian(rng, scale, c.batch(), c.dim());
      b = floatGaussian(rng, scale, c.batch(), c.dim());
      if (c.features().equals("zeroRow")) {
        java.util.Arrays.fill(b.data(), c.dim(), 2 * c.dim(), 0.0);
      }
    }
    ReferenceResult ref = InfoNceReference.compute(a, b, c.tau(), c.normalize());
    InfoNceLoss loss =
        new InfoNceLoss(new InfoNceOptions(c.tau(), c.normalize(), c.tiling()));
    try (INDArray fa = a.toNd4j(DataType.FLOAT);
        INDArray fb = b.toNd4j(DataType.FLOAT);
        LossResult fused = loss.compute(fa, fb)) {
      assertMatches(c.toString(), ref, fused);
      if (c.features().equals("identical")) {
        // Diagnostics' contract: ties count as misses, so identical features score 0.
        assertEquals(0.0, fused.diagnostics().accuracy(), 0.0, c + ": accuracy");
      }
    }
  }

  // ---------------------------------------------------------------------------------------- helpers

  /** Loss, parts, diagnostics and gradients of one fused result against its reference. */
  static void assertMatches(String what, ReferenceResult ref, LossResult fused) {
    double scoreFloor = SCORE_ROUNDING * Math.max(1, ref.maxAbsScore());
    assertScalar(what + ": loss", ref.loss(), fused.loss(), scoreFloor);
    assertEquals(ref.parts().keySet(), fused.parts().keySet(), what + ": part names");
    for (Map.Entry<String, Double> part : ref.parts().entrySet()) {
      assertScalar(
          what + ": part " + part.getKey(), part.getValue(), fused.parts().get(part.getKey()),
          scoreFloor);
    }
    Diagnostics rd = ref.diagnostics();
    Diagnostics fd = fused.diagnostics();
    assertScalar(what + ": meanPositive", rd.meanPositive(), fd.meanPositive(), scoreFloor);
    if (Double.isNaN(rd.meanNegative())) {
      assertTrue(Double.isNaN(fd.meanNegative()), what + ": meanNegative must be NaN, was "
          + fd.meanNegative());
    } else {
      assertScalar(what + ": meanNegative", rd.meanNegative(), fd.meanNegative(), scoreFloor);
    }
    double tie = TIE * Math.max(1, ref.maxAbsScore());
    long nearTies = java.util.Arrays.stream(ref.margins()).filter(m -> Math.abs(m) <= tie).count();
    double allowed = (double) nearTies / ref.margins().length;
    assertTrue(
        Math.abs(fd.accuracy() - rd.accuracy()) <= allowed + 1e-12,
        what + ": accuracy " + fd.accuracy() + " vs reference " + rd.accuracy() + " (" + nearTies
            + " near-ties of " + ref.margins().length + ")");

    assertEquals(ref.gradients().keySet(), fused.gradients().keySet(), what + ": gradient names");
    for (Map.Entry<String, Tensor64> e : ref.gradients().entrySet()) {
      Tensor64 r = e.getValue();
      INDArray g = fused.gradient(e.getKey());
      assertArrayEquals(r.shape(), g.shape(), what + ": shape of gradient " + e.getKey());
      double[] gv = Tensor64.of(g).data();
      double maxErr = 0;
      int worst = 0;
      for (int i = 0; i < gv.length; i++) {
        double err = Math.abs(gv[i] - r.data()[i]);
        if (!(err <= maxErr)) { // also catches NaN
          maxErr = err;
          worst = i;
        }
      }
      double tol = REL * r.maxAbs() + GRAD_FLOOR;
      assertTrue(
          maxErr <= tol,
          what + ": gradient " + e.getKey() + r + " max |g - ref| = " + maxErr + " > " + tol
              + " at flat index " + worst + " (fused " + gv[worst] + ", reference "
              + r.data()[worst] + ", max |ref| " + r.maxAbs() + ")");
    }
  }

  private static void assertScalar(String what, double expected, double actual, double floor) {
    double tol = REL * Math.abs(expected) + floor;
    assertTrue(
        Math.abs(actual - expected) <= tol,
        what + ": fused " + actual + " vs reference " + expected + " (tolerance " + tol + ")");
  }

  /** Gaussian values rounded to float32, so that both implementations see the same numbers. */
  static Tensor64 floatGaussian(SplittableRandom rng, double scale, long... shape) {
    Tensor64 t = Tensor64.zeros(shape);
    for (int i = 0; i < t.data().length; i++) {
      t.data()[i] = (float) (scale * rng.nextGaussian());
    }
    return t;
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

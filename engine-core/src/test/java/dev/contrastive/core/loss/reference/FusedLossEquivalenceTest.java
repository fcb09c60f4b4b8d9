package dev.contrastive.core.loss.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.api.buffer.DataType.DOUBLE;
import static org.nd4j.linalg.api.buffer.DataType.FLOAT;

import dev.contrastive.core.loss.AmdimComparison;
import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.CpcLoss;
import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.core.loss.Diagnostics;
import dev.contrastive.core.loss.InfoNceLoss;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.core.kernel.Tiling;
import dev.contrastive.core.loss.YadimLoss;
import dev.contrastive.core.loss.YadimOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
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
 * and huge tiles, identical features, saturated clipping, extreme temperatures, positives that
 * dominate their rows).
 *
 * <p>Inputs are generated as float32 values, so the reference sees exactly what the fused loss sees and
 * every difference is the fused loss's own arithmetic. Most cases run in float32 (the native tile
 * kernel when it loads); some in float64, which takes the pure ND4J path at float64 precision. Run with
 * {@code -Dtest.argLine=-Dcontrastive.kernel=nd4j} to send the float32 cases down the ND4J path too.
 */
class FusedLossEquivalenceTest {

  /**
   * How closely a fused result must match the reference, per input precision.
   *
   * @param rel gradients: max |g - ref| <= rel * max |ref| + gradFloor per tensor; scalars: |x - ref|
   *     <= rel * |ref| + scoreRounding * max(1, max |score|)
   * @param gradFloor only matters for tensors whose reference gradient is (near) all zero
   * @param scoreRounding each score carries a rounding error ~ eps |score|, and a loss near 0 (a well
   *     separated batch, B = 1) has no relative precision to spare
   * @param tie a positive whose reference margin over its best negative is within tie * max(1, max
   *     |score|) may flip; every other accuracy vote must agree exactly
   */
  record Precision(double rel, double gradFloor, double scoreRounding, double tie) {

    /** Float32 inputs: the contract's 1e-4, with ~16x headroom over eps32 = 6e-8 in the floors. */
    static final Precision FLOAT32 = new Precision(1e-4, 1e-7, 1e-6, 1e-5);

    /**
     * Float64 inputs (the pure ND4J path; the native tile kernel is float32 only): observed agreement
     * is ~1e-14, so anything looser than 1e-10 would hide a real slip behind float32-sized slack.
     */
    static final Precision FLOAT64 = new Precision(1e-10, 1e-14, 1e-12, 1e-10);

    static Precision of(DataType type) {
      return type == DataType.DOUBLE ? FLOAT64 : FLOAT32;
    }

    /**
     * Without the gradient floor: where every positive dominates its row, whole gradient tensors are
     * as small as the floor or far below it (1e-17 to 1e-7 in the saturated cases), and the floor
     * would accept any answer.
     */
    Precision relativeGradients() {
      return new Precision(rel, 0, scoreRounding, tie);
    }
  }

  /** Tile shapes: one element, odd small tiles that split images, and one tile covering everything. */
  private static final Tiling[] TILINGS = {
    new Tiling(3, 5), new Tiling(1, 1), new Tiling(2, 7), new Tiling(5, 3), new Tiling(1, 64),
    new Tiling(64, 1), new Tiling(4096, 1 << 20), Tiling.DEFAULT
  };

  /**
   * Random cases whose fused call would step through more score tiles than this are redrawn: the
   * kernels pay a fixed cost per tile, and one-element tiles on a large batch would dominate the run.
   */
  private static final int MAX_TILES = 60;

  /** Cases per loss; about one random case in five is float64 (see {@link #randomType}). */
  private static final int CASES = 60;

  private static final double[] TEMPERATURES = {0.01, 0.05, 0.1, 0.5, 1, 10};

  // ---------------------------------------------------------------------------------------- InfoNCE

  /**
   * @param features "random", "identical" (every a row equal, every b row equal), "zeroRow" (one
   *     all-zero row, which normalisation divides by the 1e-12 floor) or "saturated" (b = a + small
   *     noise on unit rows: at tau = 0.01 every positive outscores its row's negatives by 30 or more,
   *     so 1 - softmax at the positive is 1e-11 or less)
   */
  record InfoNceCase(long seed, int batch, int dim, double tau, boolean normalize, Tiling tiling,
      String features, DataType type) {
    int tiles() {
      return tileCount(2 * batch, 2 * batch, tiling);
    }

    @Override
    public String toString() {
      return "seed=" + seed + " B=" + batch + " D=" + dim + " tau=" + tau + " normalize=" + normalize
          + " tiling=" + tiling.rows() + "x" + tiling.columns() + " " + features + " " + type;
    }
  }

  static Stream<InfoNceCase> infoNceCases() {
    List<InfoNceCase> cases = new ArrayList<>();
    cases.add(new InfoNceCase(1, 1, 8, 0.1, true, new Tiling(3, 5), "random", FLOAT));
    cases.add(new InfoNceCase(2, 1, 3, 0.5, false, new Tiling(1, 1), "random", FLOAT));
    cases.add(new InfoNceCase(3, 7, 6, 0.1, true, new Tiling(3, 5), "random", FLOAT));
    cases.add(new InfoNceCase(4, 5, 4, 0.2, true, new Tiling(1, 1), "random", FLOAT));
    cases.add(new InfoNceCase(5, 9, 5, 0.1, true, new Tiling(4096, 1 << 20), "random", FLOAT));
    cases.add(new InfoNceCase(6, 6, 5, 0.1, true, new Tiling(3, 5), "identical", FLOAT));
    cases.add(new InfoNceCase(7, 4, 3, 1.0, false, new Tiling(1, 1), "identical", FLOAT));
    cases.add(new InfoNceCase(8, 8, 16, 0.01, true, new Tiling(3, 5), "random", FLOAT));
    cases.add(new InfoNceCase(9, 8, 16, 10, true, new Tiling(2, 7), "random", FLOAT));
    cases.add(new InfoNceCase(10, 8, 16, 0.01, false, new Tiling(5, 3), "random", FLOAT));
    cases.add(new InfoNceCase(11, 8, 16, 10, false, new Tiling(4096, 1 << 20), "random", FLOAT));
    cases.add(new InfoNceCase(12, 6, 1, 0.3, false, new Tiling(3, 5), "random", FLOAT));
    cases.add(new InfoNceCase(13, 5, 4, 0.1, true, new Tiling(3, 5), "zeroRow", FLOAT));
    cases.add(new InfoNceCase(14, 37, 19, 0.01, true, Tiling.DEFAULT, "saturated", FLOAT));
    cases.add(new InfoNceCase(15, 37, 19, 0.01, false, Tiling.DEFAULT, "saturated", FLOAT));
    cases.add(new InfoNceCase(16, 37, 19, 0.01, true, new Tiling(5, 7), "saturated", FLOAT));
    cases.add(new InfoNceCase(17, 37, 19, 0.01, false, new Tiling(5, 7), "saturated", FLOAT));
    cases.add(new InfoNceCase(18, 37, 19, 0.01, true, new Tiling(5, 7), "saturated", DOUBLE));
    cases.add(new InfoNceCase(19, 37, 19, 0.01, false, Tiling.DEFAULT, "saturated", DOUBLE));
    SplittableRandom rng = new SplittableRandom(20240601);
    while (cases.size() < CASES) {
      InfoNceCase c =
          new InfoNceCase(
              100 + cases.size(),
              1 + rng.nextInt(12),
              1 + rng.nextInt(16),
              TEMPERATURES[rng.nextInt(TEMPERATURES.length)],
              rng.nextBoolean(),
              TILINGS[rng.nextInt(TILINGS.length)],
              "random",
              randomType(rng));
      if (c.tiles() <= MAX_TILES) {
        cases.add(c);
      }
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
    } else if (c.features().equals("saturated")) {
      double[][] directions = unitRows(rng, c.batch(), c.dim());
      a = aligned(rng, directions, 1, 0, c.batch(), c.dim());
      b = aligned(rng, directions, 1, 0.01, c.batch(), c.dim());
    } else {
      a = floatGaussian(rng, scale, c.batch(), c.dim());
      b = floatGaussian(rng, scale, c.batch(), c.dim());
      if (c.features().equals("zeroRow")) {
        Arrays.fill(b.data(), c.dim(), 2 * c.dim(), 0.0);
      }
    }
    ReferenceResult ref = InfoNceReference.compute(a, b, c.tau(), c.normalize());
    InfoNceLoss loss =
        new InfoNceLoss(new InfoNceOptions(c.tau(), c.normalize(), c.tiling()));
    try (INDArray fa = a.toNd4j(c.type());
        INDArray fb = b.toNd4j(c.type());
        LossResult fused = loss.compute(fa, fb)) {
      assertMatches(c.toString(), ref, fused, precision(c.type(), c.features()));
      if (c.features().equals("identical")) {
        // Diagnostics' contract: ties count as misses, so identical features score 0.
        assertEquals(0.0, fused.diagnostics().accuracy(), 0.0, c + ": accuracy");
      }
    }
  }


  // ------------------------------------------------------------------------------------------ AMDIM

  /**
   * Views hold r1 (one location, (B, D) or (B, D, 1, 1)), r5 (h5 x w5) and r7 (h7 x w7) whether or not
   * the comparisons use them, so unused maps must come back with zero gradients.
   *
   * @param randomSampler draw locations with {@link SourceSampler#random} and read them back from the
   *     result; otherwise give them with {@link SourceSampler#fixed}
   * @param features "random", "identical" (every image of a view is the same) or "saturated" (image
   *     i's every location is featureScale times the same unit direction plus small noise, the
   *     directions orthonormal across images: raw scores of featureScale^2 / sqrt(D) at the positives,
   *     ~0 elsewhere)
   */
  record AmdimCase(long seed, int batch, int dim, boolean r1FourD, int h5, int w5, int h7, int w7,
      List<AmdimComparison> comparisons, double tclip, double w, double featureScale, Tiling tiling,
      boolean randomSampler, String features, DataType type) {
    /** Rows are source images; column tiles hold whole target images (at least one). */
    int tiles() {
      int total = 0;
      for (AmdimComparison c : comparisons) {
        int locations = c.target().equals("r1") ? 1 : c.target().equals("r5") ? h5 * w5 : h7 * w7;
        total += 2 * tileCount(batch, batch, new Tiling(tiling.rows(),
            Math.max(1, tiling.columns() / locations)));
      }
      return total;
    }

    @Override
    public String toString() {
      return "seed=" + seed + " B=" + batch + " D=" + dim + " r1" + (r1FourD ? "(B,D,1,1)" : "(B,D)")
          + " r5=" + h5 + "x" + w5 + " r7=" + h7 + "x" + w7 + " comparisons="
          + comparisons.stream().map(AmdimComparison::name).toList() + " tclip=" + tclip + " w=" + w
          + " featureScale=" + featureScale + " tiling=" + tiling.rows() + "x" + tiling.columns()
          + (randomSampler ? " randomSampler" : " fixedSampler") + " " + features + " " + type;
    }
  }

  private static final List<AmdimComparison> PAPER = AmdimOptions.PAPER_COMPARISONS;

  /** Noise per component of "saturated" AMDIM and YADIM features. */
  private static final double ALIGNED_NOISE = 0.05;

  static Stream<AmdimCase> amdimCases() {
    List<AmdimCase> cases = new ArrayList<>();
    List<AmdimComparison> custom =
        List.of(new AmdimComparison("r5", "r1"), new AmdimComparison("r7", "r7"));
    cases.add(new AmdimCase(1, 1, 4, false, 3, 3, 2, 2, PAPER, 20, 0.05, 1, new Tiling(3, 5), false,
        "random", FLOAT));
    cases.add(new AmdimCase(2, 7, 5, false, 2, 3, 3, 3, PAPER, 20, 0.05, 1, new Tiling(3, 5), true,
        "random", FLOAT));
    cases.add(new AmdimCase(3, 4, 3, true, 2, 2, 3, 1, PAPER, 10, 0.1, 1, new Tiling(1, 1), false,
        "random", FLOAT));
    cases.add(new AmdimCase(4, 9, 6, false, 3, 2, 2, 2, PAPER, 20, 0.05, 1,
        new Tiling(4096, 1 << 20), true, "random", FLOAT));
    // L = 1 everywhere
    cases.add(new AmdimCase(5, 6, 4, true, 1, 1, 1, 1, PAPER, 20, 0.05, 1, new Tiling(3, 5), false,
        "random", FLOAT));
    cases.add(new AmdimCase(6, 5, 4, false, 2, 2, 2, 3, PAPER, 20, 0.05, 1, new Tiling(3, 5), false,
        "identical", FLOAT));
    // raw scores ~ featureScale^2 = 16 against tclip 1 or 5: deep in the flat part of tanh
    cases.add(new AmdimCase(7, 5, 4, false, 2, 2, 2, 2, PAPER, 1, 0.05, 4, new Tiling(3, 5), false,
        "random", FLOAT));
    cases.add(new AmdimCase(8, 5, 4, false, 2, 2, 2, 2, PAPER, 5, 0.05, 4, new Tiling(2, 7), true,
        "random", FLOAT));
    cases.add(new AmdimCase(9, 5, 4, false, 2, 2, 2, 2, PAPER, 5, 0, 4, new Tiling(3, 5), false,
        "random", FLOAT));
    cases.add(new AmdimCase(10, 6, 3, false, 2, 2, 3, 2, custom, 20, 0.05, 1, new Tiling(5, 3), true,
        "random", FLOAT));
    cases.add(new AmdimCase(11, 6, 3, false, 2, 2, 3, 2, custom, 20, 0, 1, new Tiling(3, 5), false,
        "random", FLOAT));
    cases.add(new AmdimCase(12, 1, 3, false, 2, 2, 2, 1, custom, 5, 0.5, 2, new Tiling(1, 1), true,
        "random", FLOAT));
    // dominant positives: raw scores ~40 at the positives and ~0 elsewhere, so with tclip = 50 every
    // positive outscores its negatives by ~32 after the clip; no regulariser, whose gradient would
    // swamp the ~1e-13 NCE gradients
    cases.add(new AmdimCase(13, 5, 8, false, 2, 2, 2, 2, PAPER, 50, 0, 10.6, new Tiling(3, 5), false,
        "saturated", FLOAT));
    cases.add(new AmdimCase(14, 6, 8, true, 2, 3, 3, 2, PAPER, 50, 0, 10.6, Tiling.DEFAULT, true,
        "saturated", FLOAT));
    cases.add(new AmdimCase(15, 5, 8, false, 2, 2, 2, 2, PAPER, 50, 0, 10.6, new Tiling(2, 7), false,
        "saturated", DOUBLE));
    String[] names = {"r1", "r5", "r7"};
    double[] tclips = {1, 5, 20, 20, 100};
    double[] weights = {0, 0.05, 0.05, 1};
    SplittableRandom rng = new SplittableRandom(8675309);
    while (cases.size() < CASES) {
      List<AmdimComparison> comps = new ArrayList<>();
      int count = 1 + rng.nextInt(3);
      while (comps.size() < count) {
        AmdimComparison c =
            new AmdimComparison(names[rng.nextInt(3)], names[rng.nextInt(3)]);
        if (!comps.contains(c)) {
          comps.add(c);
        }
      }
      Tiling tiling = TILINGS[rng.nextInt(TILINGS.length)];
      int batch = 1 + rng.nextInt(9);
      double tclip = tclips[rng.nextInt(tclips.length)];
      AmdimCase c =
          new AmdimCase(
              100 + cases.size(),
              batch,
              1 + rng.nextInt(8),
              rng.nextBoolean(),
              1 + rng.nextInt(3),
              1 + rng.nextInt(3),
              1 + rng.nextInt(4),
              1 + rng.nextInt(2),
              comps,
              tclip,
              weights[rng.nextInt(weights.length)],
              tclip <= 5 && rng.nextBoolean() ? 3 : 1,
              tiling,
              rng.nextBoolean(),
              "random",
              randomType(rng));
      if (c.tiles() <= MAX_TILES) {
        cases.add(c);
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("amdimCases")
  void amdim(AmdimCase c) {
    SplittableRandom rng = new SplittableRandom(c.seed());
    long[][] shapes = {
      c.r1FourD() ? new long[] {c.batch(), c.dim(), 1, 1} : new long[] {c.batch(), c.dim()},
      {c.batch(), c.dim(), c.h5(), c.w5()},
      {c.batch(), c.dim(), c.h7(), c.w7()}
    };
    String[] names = {"r1", "r5", "r7"};
    Map<String, Tensor64> a = new LinkedHashMap<>();
    Map<String, Tensor64> b = new LinkedHashMap<>();
    double[][] directions =
        c.features().equals("saturated") ? orthonormalRows(rng, c.batch(), c.dim()) : null;
    for (Map<String, Tensor64> view : List.of(a, b)) {
      for (int m = 0; m < names.length; m++) {
        view.put(names[m], directions != null
            ? aligned(rng, directions, c.featureScale(), ALIGNED_NOISE, shapes[m])
            : features(rng, c.featureScale(), c.features().equals("identical"), shapes[m]));
      }
    }
    Map<String, int[]> given = new LinkedHashMap<>();
    for (AmdimComparison comparison : c.comparisons()) {
      int locations = a.get(comparison.source()).locations();
      for (boolean ab : new boolean[] {true, false}) {
        if (locations > 1) {
          given.put(comparison.samplerKey(ab), rng.ints(c.batch(), 0, locations).toArray());
        }
      }
    }
    SourceSampler sampler =
        c.randomSampler() ? SourceSampler.random(c.seed()) : SourceSampler.fixed(given);
    AmdimLoss loss =
        new AmdimLoss(new AmdimOptions(c.tclip(), c.w(), c.comparisons(), c.tiling()));
    Map<String, INDArray> fa = toNd4j(a, c.type());
    Map<String, INDArray> fb = toNd4j(b, c.type());
    try (LossResult fused = loss.compute(fa, fb, sampler)) {
      Map<String, int[]> used = fused.sourceLocations();
      if (!c.randomSampler()) {
        assertLocationsEqual(c + ": sourceLocations", given, used);
      }
      ReferenceResult ref =
          AmdimReference.compute(a, b, c.tclip(), c.w(), c.comparisons(), used);
      assertMatches(c.toString(), ref, fused, precision(c.type(), c.features()));
      if (c.features().equals("identical") && c.batch() > 1) {
        assertEquals(0.0, fused.diagnostics().accuracy(), 0.0, c + ": accuracy");
      }
    } finally {
      fa.values().forEach(INDArray::close);
      fb.values().forEach(INDArray::close);
    }
  }

  // ------------------------------------------------------------------------------------------ YADIM

  /** @param shape (B, D) or (B, D, H, W) of both last maps */
  record YadimCase(long seed, long[] shape, double tclip, double w, double featureScale,
      Tiling tiling, boolean randomSampler, String features, DataType type) {
    int tiles() {
      int batch = (int) shape[0];
      int locations = shape.length == 4 ? (int) (shape[2] * shape[3]) : 1;
      return 2 * tileCount(batch, batch,
          new Tiling(tiling.rows(), Math.max(1, tiling.columns() / locations)));
    }

    @Override
    public String toString() {
      return "seed=" + seed + " shape=" + Arrays.toString(shape) + " tclip=" + tclip + " w=" + w
          + " featureScale=" + featureScale + " tiling=" + tiling.rows() + "x" + tiling.columns()
          + (randomSampler ? " randomSampler" : " fixedSampler") + " " + features + " " + type;
    }
  }

  static Stream<YadimCase> yadimCases() {
    List<YadimCase> cases = new ArrayList<>();
    cases.add(new YadimCase(1, new long[] {6, 8}, 20, 0.05, 1, new Tiling(3, 5), false, "random", FLOAT));
    cases.add(new YadimCase(2, new long[] {1, 4, 3, 3}, 20, 0.05, 1, new Tiling(3, 5), true, "random", FLOAT));
    cases.add(new YadimCase(3, new long[] {7, 4, 2, 3}, 20, 0.05, 1, new Tiling(3, 5), false, "random", FLOAT));
    cases.add(new YadimCase(4, new long[] {4, 3, 2, 2}, 10, 0.1, 1, new Tiling(1, 1), true, "random", FLOAT));
    cases.add(new YadimCase(5, new long[] {9, 5, 3, 2}, 20, 0.05, 1, new Tiling(4096, 1 << 20),
        false, "random", FLOAT));
    cases.add(new YadimCase(6, new long[] {5, 4, 1, 1}, 20, 0.05, 1, new Tiling(3, 5), false, "random", FLOAT));
    cases.add(new YadimCase(7, new long[] {5, 4, 2, 2}, 20, 0.05, 1, new Tiling(3, 5), false, "identical", FLOAT));
    cases.add(new YadimCase(8, new long[] {5, 4, 2, 2}, 1, 0.05, 4, new Tiling(2, 7), true, "random", FLOAT));
    cases.add(new YadimCase(9, new long[] {5, 4, 2, 2}, 5, 0, 4, new Tiling(3, 5), false, "random", FLOAT));
    cases.add(new YadimCase(10, new long[] {6, 6}, 20, 0, 1, new Tiling(1, 1), false, "random", FLOAT));
    // dominant positives, as in AMDIM's saturated cases
    cases.add(new YadimCase(11, new long[] {6, 8, 2, 2}, 50, 0, 10.6, new Tiling(3, 5), false,
        "saturated", FLOAT));
    cases.add(new YadimCase(12, new long[] {6, 8}, 50, 0, 10.6, Tiling.DEFAULT, true, "saturated",
        FLOAT));
    cases.add(new YadimCase(13, new long[] {5, 8, 2, 3}, 50, 0, 10.6, new Tiling(2, 7), false,
        "saturated", DOUBLE));
    double[] tclips = {1, 5, 20, 20, 100};
    double[] weights = {0, 0.05, 0.05, 1};
    SplittableRandom rng = new SplittableRandom(4242);
    while (cases.size() < CASES) {
      Tiling tiling = TILINGS[rng.nextInt(TILINGS.length)];
      int batch = 1 + rng.nextInt(10);
      int dim = 1 + rng.nextInt(10);
      long[] shape =
          rng.nextInt(4) == 0
              ? new long[] {batch, dim}
              : new long[] {batch, dim, 1 + rng.nextInt(4), 1 + rng.nextInt(3)};
      double tclip = tclips[rng.nextInt(tclips.length)];
      YadimCase c =
          new YadimCase(
              100 + cases.size(),
              shape,
              tclip,
              weights[rng.nextInt(weights.length)],
              tclip <= 5 && rng.nextBoolean() ? 3 : 1,
              tiling,
              rng.nextBoolean(),
              "random",
              randomType(rng));
      if (c.tiles() <= MAX_TILES) {
        cases.add(c);
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("yadimCases")
  void yadim(YadimCase c) {
    SplittableRandom rng = new SplittableRandom(c.seed());
    int batch = (int) c.shape()[0];
    Tensor64 a;
    Tensor64 b;
    if (c.features().equals("saturated")) {
      double[][] directions = orthonormalRows(rng, batch, (int) c.shape()[1]);
      a = aligned(rng, directions, c.featureScale(), ALIGNED_NOISE, c.shape());
      b = aligned(rng, directions, c.featureScale(), ALIGNED_NOISE, c.shape());
    } else {
      boolean identical = c.features().equals("identical");
      a = features(rng, c.featureScale(), identical, c.shape());
      b = features(rng, c.featureScale(), identical, c.shape());
    }
    Map<String, int[]> given = new LinkedHashMap<>();
    if (a.locations() > 1) {
      given.put("last_last_ab", rng.ints(batch, 0, a.locations()).toArray());
      given.put("last_last_ba", rng.ints(batch, 0, a.locations()).toArray());
    }
    SourceSampler sampler =
        c.randomSampler() ? SourceSampler.random(c.seed()) : SourceSampler.fixed(given);
    YadimLoss loss = new YadimLoss(new YadimOptions(c.tclip(), c.w(), c.tiling()));
    try (INDArray fa = a.toNd4j(c.type());
        INDArray fb = b.toNd4j(c.type());
        LossResult fused = loss.compute(fa, fb, sampler)) {
      Map<String, int[]> used = fused.sourceLocations();
      if (!c.randomSampler()) {
        assertLocationsEqual(c + ": sourceLocations", given, used);
      }
      ReferenceResult ref = YadimReference.compute(a, b, c.tclip(), c.w(), used);
      assertMatches(c.toString(), ref, fused, precision(c.type(), c.features()));
      if (c.features().equals("identical") && batch > 1) {
        assertEquals(0.0, fused.diagnostics().accuracy(), 0.0, c + ": accuracy");
      }
    }
  }

  // -------------------------------------------------------------------------------------------- CPC

  record CpcCase(long seed, int batch, int dim, int height, int width, int skip, int predict,
      double embScale, Tiling tiling, String features, DataType type) {
    int tiles() {
      int total = 0;
      for (int k = skip; k < skip + predict; k++) {
        total += tileCount(batch * (height - k) * width, batch * height * width, tiling);
      }
      return total;
    }

    @Override
    public String toString() {
      return "seed=" + seed + " B=" + batch + " D=" + dim + " H=" + height + " W=" + width
          + " skip=" + skip + " predict=" + predict + " embScale=" + embScale + " tiling="
          + tiling.rows() + "x" + tiling.columns() + " " + features + " " + type;
    }
  }

  static Stream<CpcCase> cpcCases() {
    List<CpcCase> cases = new ArrayList<>();
    // the defaults on the shortest grid they allow, H = max k + 1
    cases.add(new CpcCase(1, 3, 8, 5, 3, 2, 3, 0.1, new Tiling(3, 5), "random", FLOAT));
    cases.add(new CpcCase(2, 1, 6, 4, 3, 1, 1, 1, new Tiling(3, 5), "random", FLOAT));
    cases.add(new CpcCase(3, 2, 5, 4, 1, 1, 2, 1, new Tiling(1, 1), "random", FLOAT));
    cases.add(new CpcCase(4, 5, 6, 5, 3, 2, 3, 0.1, new Tiling(4096, 1 << 20), "random", FLOAT));
    cases.add(new CpcCase(5, 3, 6, 4, 1, 1, 2, 1, new Tiling(3, 5), "random", FLOAT));
    cases.add(new CpcCase(6, 3, 6, 4, 3, 1, 3, 1, new Tiling(3, 5), "identical", FLOAT));
    cases.add(new CpcCase(7, 3, 16, 3, 2, 2, 1, 2, new Tiling(2, 7), "random", FLOAT));
    cases.add(new CpcCase(8, 1, 4, 7, 2, 3, 4, 0.5, new Tiling(5, 3), "random", FLOAT));
    // predictions nearly equal to their unit-length targets: scores of ~60 at the labels and 60 cos
    // elsewhere, so every label outscores its row by 17 or more (~30 typically)
    cases.add(new CpcCase(9, 3, 19, 5, 3, 2, 3, 60, new Tiling(3, 5), "saturated", FLOAT));
    cases.add(new CpcCase(10, 3, 19, 5, 3, 2, 3, 60, Tiling.DEFAULT, "saturated", FLOAT));
    cases.add(new CpcCase(11, 3, 19, 5, 3, 2, 3, 60, new Tiling(4, 7), "saturated", DOUBLE));
    SplittableRandom rng = new SplittableRandom(1618);
    double[] scales = {0.1, 0.5, 1, 2};
    while (cases.size() < CASES) {
      Tiling tiling = TILINGS[rng.nextInt(TILINGS.length)];
      int skip = 1 + rng.nextInt(3);
      int predict = 1 + rng.nextInt(3);
      int height = skip + predict + rng.nextInt(3);
      CpcCase c =
          new CpcCase(
              100 + cases.size(),
              1 + rng.nextInt(4),
              1 + rng.nextInt(12),
              height,
              1 + rng.nextInt(4),
              skip,
              predict,
              scales[rng.nextInt(scales.length)],
              tiling,
              "random",
              randomType(rng));
      if (c.tiles() <= MAX_TILES) {
        cases.add(c);
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cpcCases")
  void cpc(CpcCase c) {
    SplittableRandom rng = new SplittableRandom(c.seed());
    long[] shape = {c.batch(), c.dim(), c.height(), c.width()};
    List<Tensor64> predictions = new ArrayList<>();
    Tensor64 targets;
    if (c.features().equals("saturated")) {
      targets = unitPatches(rng, shape);
      for (int s = 0; s < c.predict(); s++) {
        predictions.add(nearTargets(rng, targets, c.skip() + s, 0.01));
      }
    } else {
      boolean identical = c.features().equals("identical");
      targets = features(rng, 1, identical, shape);
      for (int s = 0; s < c.predict(); s++) {
        predictions.add(features(rng, 1, identical, shape));
      }
    }
    ReferenceResult ref = CpcReference.compute(targets, predictions, c.skip(), c.embScale());
    CpcLoss loss =
        new CpcLoss(new CpcOptions(c.skip(), c.predict(), c.embScale(), c.tiling()));
    List<INDArray> fp = predictions.stream().map(p -> p.toNd4j(c.type())).toList();
    try (INDArray ft = targets.toNd4j(c.type());
        LossResult fused = loss.compute(ft, fp)) {
      assertMatches(c.toString(), ref, fused, precision(c.type(), c.features()));
      if (c.features().equals("identical") && c.batch() > 1) {
        assertEquals(0.0, fused.diagnostics().accuracy(), 0.0, c + ": accuracy");
      }
    } finally {
      fp.forEach(INDArray::close);
    }
  }

  // ---------------------------------------------------------------------------------------- helpers

  /** Loss, parts, diagnostics and gradients of one fused result against its reference. */
  static void assertMatches(String what, ReferenceResult ref, LossResult fused, Precision p) {
    double scoreFloor = p.scoreRounding() * Math.max(1, ref.maxAbsScore());
    assertScalar(what + ": loss", ref.loss(), fused.loss(), p.rel(), scoreFloor);
    assertEquals(ref.parts().keySet(), fused.parts().keySet(), what + ": part names");
    for (Map.Entry<String, Double> part : ref.parts().entrySet()) {
      assertScalar(
          what + ": part " + part.getKey(), part.getValue(), fused.parts().get(part.getKey()),
          p.rel(), scoreFloor);
    }
    Diagnostics rd = ref.diagnostics();
    Diagnostics fd = fused.diagnostics();
    assertScalar(what + ": meanPositive", rd.meanPositive(), fd.meanPositive(), p.rel(),
        scoreFloor);
    if (Double.isNaN(rd.meanNegative())) {
      assertTrue(Double.isNaN(fd.meanNegative()), what + ": meanNegative must be NaN, was "
          + fd.meanNegative());
    } else {
      assertScalar(what + ": meanNegative", rd.meanNegative(), fd.meanNegative(), p.rel(),
          scoreFloor);
    }
    double tie = p.tie() * Math.max(1, ref.maxAbsScore());
    long nearTies = Arrays.stream(ref.margins()).filter(m -> Math.abs(m) <= tie).count();
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
      double tol = p.rel() * r.maxAbs() + p.gradFloor();
      assertTrue(
          maxErr <= tol,
          what + ": gradient " + e.getKey() + r + " max |g - ref| = " + maxErr + " > " + tol
              + " at flat index " + worst + " (fused " + gv[worst] + ", reference "
              + r.data()[worst] + ", max |ref| " + r.maxAbs() + ")");
    }
  }

  private static void assertScalar(
      String what, double expected, double actual, double rel, double floor) {
    double tol = rel * Math.abs(expected) + floor;
    assertTrue(
        Math.abs(actual - expected) <= tol,
        what + ": fused " + actual + " vs reference " + expected + " (tolerance " + tol + ")");
  }

  /**
   * Mostly float32, the production type (native tile kernel when it loads); some float64, which takes
   * the pure ND4J path and is held to float64 precision.
   */
  static DataType randomType(SplittableRandom rng) {
    return rng.nextInt(5) == 0 ? DOUBLE : FLOAT;
  }

  /** Number of score tiles of a rows x columns score matrix. */
  static int tileCount(int rows, int columns, Tiling tiling) {
    return ceilDiv(rows, tiling.rows()) * ceilDiv(columns, tiling.columns());
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /** Precision for a case's features; see {@link Precision#relativeGradients}. */
  static Precision precision(DataType type, String features) {
    Precision p = Precision.of(type);
    return features.equals("saturated") ? p.relativeGradients() : p;
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

  private static Map<String, INDArray> toNd4j(Map<String, Tensor64> view, DataType type) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    view.forEach((name, t) -> out.put(name, t.toNd4j(type)));
    return out;
  }

  private static void assertLocationsEqual(
      String what, Map<String, int[]> expected, Map<String, int[]> actual) {
    assertEquals(expected.keySet(), actual.keySet(), what + " keys");
    expected.forEach((key, loc) -> assertArrayEquals(loc, actual.get(key), what + " " + key));
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
  static Tensor64 aligned(
      SplittableRandom rng, double[][] directions, double radius, double noise, long... shape) {
    Tensor64 t = Tensor64.zeros(shape);
    for (int b = 0; b < t.dim(0); b++) {
      for (int d = 0; d < t.dim(1); d++) {
        for (int l = 0; l < t.locations(); l++) {
          t.data()[t.mapIndex(b, d, l)] =
              (float) (radius * directions[b][d] + noise * rng.nextGaussian());
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
   * CPC predictions for offset k that nearly hit their labels: each patch is the target patch k rows
   * below plus Gaussian noise of standard deviation {@code noise} (rows with nothing k rows below,
   * which the loss ignores, are noise alone).
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

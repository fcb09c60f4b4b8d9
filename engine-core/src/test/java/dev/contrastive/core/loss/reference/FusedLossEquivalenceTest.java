package dev.contrastive.core.loss.reference;

import static dev.contrastive.core.loss.reference.LossInputs.usedLocations;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.api.buffer.DataType.DOUBLE;
import static org.nd4j.linalg.api.buffer.DataType.FLOAT;

import dev.contrastive.core.kernel.Tiling;
import dev.contrastive.core.loss.AmdimComparison;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.Diagnostics;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.core.loss.reference.LossCases.AmdimCase;
import dev.contrastive.core.loss.reference.LossCases.CpcCase;
import dev.contrastive.core.loss.reference.LossCases.Fixture;
import dev.contrastive.core.loss.reference.LossCases.InfoNceCase;
import dev.contrastive.core.loss.reference.LossCases.LossCase;
import dev.contrastive.core.loss.reference.LossCases.YadimCase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fused float32 losses against the float64 references: loss, parts, diagnostics and every
 * gradient, over many seeded random shapes plus the edge cases (B = 1, B not a multiple of the
 * tile, one-element and huge tiles, identical features, saturated clipping, extreme temperatures,
 * positives that dominate their rows).
 *
 * <p>Inputs are generated as float32 values, so the reference sees exactly what the fused loss sees
 * and every difference is the fused loss's own arithmetic. Most cases run in float32 (the native
 * tile kernel when it loads); some in float64, which takes the pure ND4J path at float64 precision.
 * Run with {@code -Dtest.argLine=-Dcontrastive.kernel=nd4j} to send the float32 cases down the ND4J
 * path too.
 */
class FusedLossEquivalenceTest {

    /**
     * How closely a fused result must match the reference, per input precision.
     *
     * @param rel gradients: max |g - ref| <= rel * max |ref| + gradFloor per tensor; scalars: |x -
     *     ref| <= rel * |ref| + scoreRounding * max(1, max |score|)
     * @param gradFloor only matters for tensors whose reference gradient is (near) all zero
     * @param scoreRounding each score carries a rounding error ~ eps |score|, and a loss near 0 (a
     *     well separated batch, B = 1) has no relative precision to spare
     * @param tie a positive whose reference margin over its best negative is within tie * max(1, max
     *     |score|) may flip; every other accuracy vote must agree exactly
     */
    record Precision(double rel, double gradFloor, double scoreRounding, double tie) {

        /** Float32 inputs: the contract's 1e-4, with ~16x headroom over eps32 = 6e-8 in the floors. */
        static final Precision FLOAT32 = new Precision(1e-4, 1e-7, 1e-6, 1e-5);

        /**
         * Float64 inputs (the pure ND4J path; the native tile kernel is float32 only): observed
         * agreement is ~1e-14, so anything looser than 1e-10 would hide a real slip behind
         * float32-sized slack.
         */
        static final Precision FLOAT64 = new Precision(1e-10, 1e-14, 1e-12, 1e-10);

        static Precision of(DataType type) {
            return type == DataType.DOUBLE ? FLOAT64 : FLOAT32;
        }

        /**
         * Without the gradient floor: where every positive dominates its row, whole gradient tensors
         * are as small as the floor or far below it (1e-17 to 1e-7 in the saturated cases), and the
         * floor would accept any answer.
         */
        Precision relativeGradients() {
            return new Precision(rel, 0, scoreRounding, tie);
        }
    }

    /**
     * Tile shapes: one element, odd small tiles that split images, and one tile covering everything.
     */
    private static final Tiling[] TILINGS = {
        new Tiling(3, 5),
        new Tiling(1, 1),
        new Tiling(2, 7),
        new Tiling(5, 3),
        new Tiling(1, 64),
        new Tiling(64, 1),
        new Tiling(4096, 1 << 20),
        Tiling.DEFAULT
    };

    /**
     * Random cases whose fused call would step through more score tiles than this are redrawn: the
     * kernels pay a fixed cost per tile, and one-element tiles on a large batch would dominate the
     * run.
     */
    private static final int MAX_TILES = 60;

    /** Cases per loss; about one random case in five is float64 (see {@link #randomType}). */
    private static final int CASES = 60;

    private static final double[] TEMPERATURES = {0.01, 0.05, 0.1, 0.5, 1, 10};

    // ----------------------------------------------------------------------------------------
    // InfoNCE

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
        return withRandomCases(
                cases,
                20240601,
                InfoNceCase::tiles,
                (seed, rng) -> new InfoNceCase(
                        seed,
                        1 + rng.nextInt(12),
                        1 + rng.nextInt(16),
                        TEMPERATURES[rng.nextInt(TEMPERATURES.length)],
                        rng.nextBoolean(),
                        TILINGS[rng.nextInt(TILINGS.length)],
                        "random",
                        randomType(rng)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("infoNceCases")
    void infoNce(InfoNceCase c) {
        assertFusedMatchesReference(c);
    }

    // ------------------------------------------------------------------------------------------
    // AMDIM

    private static final List<AmdimComparison> PAPER = AmdimOptions.PAPER_COMPARISONS;

    static Stream<AmdimCase> amdimCases() {
        List<AmdimCase> cases = new ArrayList<>();
        List<AmdimComparison> custom = List.of(new AmdimComparison("r5", "r1"), new AmdimComparison("r7", "r7"));
        cases.add(new AmdimCase(
                1, 1, 4, false, 3, 3, 2, 2, PAPER, 20, 0.05, 1, new Tiling(3, 5), false, "random", FLOAT));
        cases.add(
                new AmdimCase(2, 7, 5, false, 2, 3, 3, 3, PAPER, 20, 0.05, 1, new Tiling(3, 5), true, "random", FLOAT));
        cases.add(
                new AmdimCase(3, 4, 3, true, 2, 2, 3, 1, PAPER, 10, 0.1, 1, new Tiling(1, 1), false, "random", FLOAT));
        cases.add(new AmdimCase(
                4, 9, 6, false, 3, 2, 2, 2, PAPER, 20, 0.05, 1, new Tiling(4096, 1 << 20), true, "random", FLOAT));
        // L = 1 everywhere
        cases.add(
                new AmdimCase(5, 6, 4, true, 1, 1, 1, 1, PAPER, 20, 0.05, 1, new Tiling(3, 5), false, "random", FLOAT));
        cases.add(new AmdimCase(
                6, 5, 4, false, 2, 2, 2, 3, PAPER, 20, 0.05, 1, new Tiling(3, 5), false, "identical", FLOAT));
        // raw scores ~ featureScale^2 = 16 against tclip 1 or 5: deep in the flat part of tanh
        cases.add(
                new AmdimCase(7, 5, 4, false, 2, 2, 2, 2, PAPER, 1, 0.05, 4, new Tiling(3, 5), false, "random", FLOAT));
        cases.add(
                new AmdimCase(8, 5, 4, false, 2, 2, 2, 2, PAPER, 5, 0.05, 4, new Tiling(2, 7), true, "random", FLOAT));
        cases.add(new AmdimCase(9, 5, 4, false, 2, 2, 2, 2, PAPER, 5, 0, 4, new Tiling(3, 5), false, "random", FLOAT));
        cases.add(new AmdimCase(
                10, 6, 3, false, 2, 2, 3, 2, custom, 20, 0.05, 1, new Tiling(5, 3), true, "random", FLOAT));
        cases.add(
                new AmdimCase(11, 6, 3, false, 2, 2, 3, 2, custom, 20, 0, 1, new Tiling(3, 5), false, "random", FLOAT));
        cases.add(
                new AmdimCase(12, 1, 3, false, 2, 2, 2, 1, custom, 5, 0.5, 2, new Tiling(1, 1), true, "random", FLOAT));
        // dominant positives: raw scores ~40 at the positives and ~0 elsewhere, so with tclip = 50
        // every positive outscores its negatives by ~32 after the clip; no regulariser, whose gradient
        // would swamp the ~1e-13 NCE gradients
        cases.add(new AmdimCase(
                13, 5, 8, false, 2, 2, 2, 2, PAPER, 50, 0, 10.6, new Tiling(3, 5), false, "saturated", FLOAT));
        cases.add(new AmdimCase(
                14, 6, 8, true, 2, 3, 3, 2, PAPER, 50, 0, 10.6, Tiling.DEFAULT, true, "saturated", FLOAT));
        cases.add(new AmdimCase(
                15, 5, 8, false, 2, 2, 2, 2, PAPER, 50, 0, 10.6, new Tiling(2, 7), false, "saturated", DOUBLE));
        String[] names = {"r1", "r5", "r7"};
        double[] tclips = {1, 5, 20, 20, 100};
        double[] weights = {0, 0.05, 0.05, 1};
        return withRandomCases(cases, 8675309, AmdimCase::tiles, (seed, rng) -> {
            List<AmdimComparison> comps = new ArrayList<>();
            int count = 1 + rng.nextInt(3);
            while (comps.size() < count) {
                AmdimComparison c = new AmdimComparison(names[rng.nextInt(3)], names[rng.nextInt(3)]);
                if (!comps.contains(c)) {
                    comps.add(c);
                }
            }
            Tiling tiling = TILINGS[rng.nextInt(TILINGS.length)];
            int batch = 1 + rng.nextInt(9);
            double tclip = tclips[rng.nextInt(tclips.length)];
            return new AmdimCase(
                    seed,
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
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("amdimCases")
    void amdim(AmdimCase c) {
        assertFusedMatchesReference(c);
    }

    // ------------------------------------------------------------------------------------------
    // YADIM

    static Stream<YadimCase> yadimCases() {
        List<YadimCase> cases = new ArrayList<>();
        cases.add(new YadimCase(1, new long[] {6, 8}, 20, 0.05, 1, new Tiling(3, 5), false, "random", FLOAT));
        cases.add(new YadimCase(2, new long[] {1, 4, 3, 3}, 20, 0.05, 1, new Tiling(3, 5), true, "random", FLOAT));
        cases.add(new YadimCase(3, new long[] {7, 4, 2, 3}, 20, 0.05, 1, new Tiling(3, 5), false, "random", FLOAT));
        cases.add(new YadimCase(4, new long[] {4, 3, 2, 2}, 10, 0.1, 1, new Tiling(1, 1), true, "random", FLOAT));
        cases.add(new YadimCase(
                5, new long[] {9, 5, 3, 2}, 20, 0.05, 1, new Tiling(4096, 1 << 20), false, "random", FLOAT));
        cases.add(new YadimCase(6, new long[] {5, 4, 1, 1}, 20, 0.05, 1, new Tiling(3, 5), false, "random", FLOAT));
        cases.add(new YadimCase(7, new long[] {5, 4, 2, 2}, 20, 0.05, 1, new Tiling(3, 5), false, "identical", FLOAT));
        cases.add(new YadimCase(8, new long[] {5, 4, 2, 2}, 1, 0.05, 4, new Tiling(2, 7), true, "random", FLOAT));
        cases.add(new YadimCase(9, new long[] {5, 4, 2, 2}, 5, 0, 4, new Tiling(3, 5), false, "random", FLOAT));
        cases.add(new YadimCase(10, new long[] {6, 6}, 20, 0, 1, new Tiling(1, 1), false, "random", FLOAT));
        // dominant positives, as in AMDIM's saturated cases
        cases.add(new YadimCase(11, new long[] {6, 8, 2, 2}, 50, 0, 10.6, new Tiling(3, 5), false, "saturated", FLOAT));
        cases.add(new YadimCase(12, new long[] {6, 8}, 50, 0, 10.6, Tiling.DEFAULT, true, "saturated", FLOAT));
        cases.add(
                new YadimCase(13, new long[] {5, 8, 2, 3}, 50, 0, 10.6, new Tiling(2, 7), false, "saturated", DOUBLE));
        double[] tclips = {1, 5, 20, 20, 100};
        double[] weights = {0, 0.05, 0.05, 1};
        return withRandomCases(cases, 4242, YadimCase::tiles, (seed, rng) -> {
            Tiling tiling = TILINGS[rng.nextInt(TILINGS.length)];
            int batch = 1 + rng.nextInt(10);
            int dim = 1 + rng.nextInt(10);
            long[] shape = rng.nextInt(4) == 0
                    ? new long[] {batch, dim}
                    : new long[] {batch, dim, 1 + rng.nextInt(4), 1 + rng.nextInt(3)};
            double tclip = tclips[rng.nextInt(tclips.length)];
            return new YadimCase(
                    seed,
                    shape,
                    tclip,
                    weights[rng.nextInt(weights.length)],
                    tclip <= 5 && rng.nextBoolean() ? 3 : 1,
                    tiling,
                    rng.nextBoolean(),
                    "random",
                    randomType(rng));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("yadimCases")
    void yadim(YadimCase c) {
        assertFusedMatchesReference(c);
    }

    // --------------------------------------------------------------------------------------------
    // CPC

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
        double[] scales = {0.1, 0.5, 1, 2};
        return withRandomCases(cases, 1618, CpcCase::tiles, (seed, rng) -> {
            Tiling tiling = TILINGS[rng.nextInt(TILINGS.length)];
            int skip = 1 + rng.nextInt(3);
            int predict = 1 + rng.nextInt(3);
            int height = skip + predict + rng.nextInt(3);
            return new CpcCase(
                    seed,
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
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cpcCases")
    void cpc(CpcCase c) {
        assertFusedMatchesReference(c);
    }

    // ----------------------------------------------------------------------------------------
    // helpers

    /**
     * The hand-picked cases plus random ones drawn from {@code seed} (seeded 100, 101, ... by their
     * position) up to {@link #CASES}; a draw over {@link #MAX_TILES} score tiles is redrawn.
     */
    private static <C> Stream<C> withRandomCases(
            List<C> cases, long seed, ToIntFunction<C> tiles, BiFunction<Long, SplittableRandom, C> draw) {
        SplittableRandom rng = new SplittableRandom(seed);
        while (cases.size() < CASES) {
            C c = draw.apply(100L + cases.size(), rng);
            if (tiles.applyAsInt(c) <= MAX_TILES) {
                cases.add(c);
            }
        }
        return cases.stream();
    }

    /**
     * The case's fused full call against its reference ({@link #assertMatches} at the case's
     * precision), on the source locations the call used (the given ones, when the sampler was
     * fixed); with identical features and a negative for every positive to tie with, also
     * Diagnostics' contract that ties count as misses (accuracy 0).
     */
    private static void assertFusedMatchesReference(LossCase c) {
        try (Fixture f = c.open();
                LossResult fused = f.full().get()) {
            Map<String, int[]> used = usedLocations(c, c.randomSampler(), f.given(), fused);
            ReferenceResult ref = f.reference().apply(used, Shard.all(c.batch()));
            assertMatches(c.toString(), ref, fused, precision(c.type(), c.features()));
            if (c.features().equals("identical") && c.hasNegatives()) {
                assertEquals(0.0, fused.diagnostics().accuracy(), 0.0, c + ": accuracy");
            }
        }
    }

    /** Loss, parts, diagnostics and gradients of one fused result against its reference. */
    static void assertMatches(String what, ReferenceResult ref, LossResult fused, Precision p) {
        double scoreFloor = p.scoreRounding() * Math.max(1, ref.maxAbsScore());
        assertScalar(what + ": loss", ref.loss(), fused.loss(), p.rel(), scoreFloor);
        assertEquals(ref.parts().keySet(), fused.parts().keySet(), what + ": part names");
        for (Map.Entry<String, Double> part : ref.parts().entrySet()) {
            assertScalar(
                    what + ": part " + part.getKey(),
                    part.getValue(),
                    fused.parts().get(part.getKey()),
                    p.rel(),
                    scoreFloor);
        }
        Diagnostics rd = ref.diagnostics();
        Diagnostics fd = fused.diagnostics();
        assertScalar(what + ": meanPositive", rd.meanPositive(), fd.meanPositive(), p.rel(), scoreFloor);
        if (Double.isNaN(rd.meanNegative())) {
            assertTrue(Double.isNaN(fd.meanNegative()), what + ": meanNegative must be NaN, was " + fd.meanNegative());
        } else {
            assertScalar(what + ": meanNegative", rd.meanNegative(), fd.meanNegative(), p.rel(), scoreFloor);
        }
        double tie = p.tie() * Math.max(1, ref.maxAbsScore());
        long nearTies =
                Arrays.stream(ref.margins()).filter(m -> Math.abs(m) <= tie).count();
        double allowed = (double) nearTies / ref.margins().length;
        assertTrue(
                Math.abs(fd.accuracy() - rd.accuracy()) <= allowed + 1e-12,
                what
                        + ": accuracy "
                        + fd.accuracy()
                        + " vs reference "
                        + rd.accuracy()
                        + " ("
                        + nearTies
                        + " near-ties of "
                        + ref.margins().length
                        + ")");

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
                    what
                            + ": gradient "
                            + e.getKey()
                            + r
                            + " max |g - ref| = "
                            + maxErr
                            + " > "
                            + tol
                            + " at flat index "
                            + worst
                            + " (fused "
                            + gv[worst]
                            + ", reference "
                            + r.data()[worst]
                            + ", max |ref| "
                            + r.maxAbs()
                            + ")");
        }
    }

    private static void assertScalar(String what, double expected, double actual, double rel, double floor) {
        double tol = rel * Math.abs(expected) + floor;
        assertTrue(
                Math.abs(actual - expected) <= tol,
                what + ": fused " + actual + " vs reference " + expected + " (tolerance " + tol + ")");
    }

    /**
     * Mostly float32, the production type (native tile kernel when it loads); some float64, which
     * takes the pure ND4J path and is held to float64 precision.
     */
    static DataType randomType(SplittableRandom rng) {
        return rng.nextInt(5) == 0 ? DOUBLE : FLOAT;
    }

    /** Precision for a case's features; see {@link Precision#relativeGradients}. */
    static Precision precision(DataType type, String features) {
        Precision p = Precision.of(type);
        return features.equals("saturated") ? p.relativeGradients() : p;
    }
}

package dev.contrastive.core.loss.reference;

import static dev.contrastive.core.loss.reference.LossInputs.amdimLocations;
import static dev.contrastive.core.loss.reference.LossInputs.amdimViews;
import static dev.contrastive.core.loss.reference.LossInputs.describe;
import static dev.contrastive.core.loss.reference.LossInputs.sampler;
import static dev.contrastive.core.loss.reference.LossInputs.toNd4j;
import static dev.contrastive.core.loss.reference.LossInputs.usedLocations;
import static dev.contrastive.core.loss.reference.LossInputs.yadimLocations;
import static dev.contrastive.core.loss.reference.LossInputs.yadimViews;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.api.buffer.DataType.DOUBLE;
import static org.nd4j.linalg.api.buffer.DataType.FLOAT;

import dev.contrastive.core.kernel.Tiling;
import dev.contrastive.core.loss.AmdimComparison;
import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.CpcLoss;
import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.core.loss.Diagnostics;
import dev.contrastive.core.loss.InfoNceLoss;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.core.loss.YadimLoss;
import dev.contrastive.core.loss.YadimOptions;
import dev.contrastive.core.loss.reference.LossInputs.CpcInputs;
import dev.contrastive.core.loss.reference.LossInputs.Views;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
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
 *
 * <p>A case of each loss is a {@link LossCase} record that opens a {@link Fixture}: its inputs
 * drawn from its seed, the fused loss's calls on them and the reference's. {@link
 * ShardedLossEquivalenceTest} runs its own cases of the same records.
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

    /** Soft-clip bounds of random AMDIM and YADIM cases: tight ones, AMDIM's 20 (twice as likely), loose. */
    private static final double[] TCLIPS = {1, 5, 20, 20, 100};

    /** Regulariser weights of random AMDIM and YADIM cases: none, AMDIM's 0.05 (twice as likely), heavy. */
    private static final double[] REG_WEIGHTS = {0, 0.05, 0.05, 1};

    /** Every loss's cases, each against its reference. */
    static Stream<LossCase> cases() {
        return Stream.of(infoNceCases(), amdimCases(), yadimCases(), cpcCases()).flatMap(cases -> cases);
    }

    /**
     * The case's fused full call against its reference ({@link #assertMatches} at the case's
     * precision), on the source locations the call used (the given ones, when the sampler was
     * fixed); with identical features and a negative for every positive to tie with, also
     * Diagnostics' contract that ties count as misses (accuracy 0).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesReference(LossCase c) {
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

    /** A seeded case of one loss. */
    sealed interface LossCase permits InfoNceCase, AmdimCase, YadimCase, CpcCase {

        /** The loss's name, which also starts the case's name. */
        String loss();

        long seed();

        /** Images per view. */
        int batch();

        /** How the inputs are drawn: "random", or a loss's special features (see {@link LossInputs}). */
        String features();

        /** The data type the fused loss runs in. */
        DataType type();

        /** Score tiles the fused full call steps through. */
        int tiles();

        /**
         * Whether every positive has a negative to tie with, so that identical features score
         * accuracy 0.
         */
        default boolean hasNegatives() {
            return batch() > 1;
        }

        /**
         * Whether the sampler draws its own locations rather than being given the case's; false for
         * losses without a sampler.
         */
        default boolean randomSampler() {
            return false;
        }

        /** Draws the case's inputs from its seed. */
        Fixture open();
    }

    /**
     * One opened case: its inputs as float64 tensors for the reference and as ND4J arrays of the
     * case's type for the fused loss, with the calls that compare them. Closing it closes the arrays.
     *
     * @param given the source locations a fixed sampler is given; none for losses without a sampler
     * @param full the fused loss over the whole batch
     * @param shard the fused loss's terms of one shard's anchors
     * @param reference the reference's terms of a shard's anchors, given the source locations the
     *     fused call used
     * @param arrays the ND4J inputs
     */
    record Fixture(
            Map<String, int[]> given,
            Supplier<LossResult> full,
            Function<Shard, LossResult> shard,
            BiFunction<Map<String, int[]>, Shard, ReferenceResult> reference,
            List<INDArray> arrays)
            implements AutoCloseable {

        @Override
        public void close() {
            arrays.forEach(INDArray::close);
        }
    }

    // ----------------------------------------------------------------------------------------
    // InfoNCE

    /**
     * @param features "random", "identical" (every a row equal, every b row equal), "zeroRow" (one
     *     all-zero row, which normalisation divides by the 1e-12 floor) or "saturated" (b = a + small
     *     noise on unit rows: at tau = 0.01 every positive outscores its row's negatives by 30 or
     *     more, so 1 - softmax at the positive is 1e-11 or less)
     */
    record InfoNceCase(
            long seed, int batch, int dim, double tau, boolean normalize, Tiling tiling, String features, DataType type)
            implements LossCase {

        @Override
        public String loss() {
            return "InfoNCE";
        }

        @Override
        public int tiles() {
            return tileCount(2 * batch, 2 * batch, tiling);
        }

        /** Even B = 1 has a negative here: the other view's image. */
        @Override
        public boolean hasNegatives() {
            return true;
        }

        @Override
        public Fixture open() {
            Views<Tensor64> v =
                    LossInputs.infoNceViews(new SplittableRandom(seed), batch, dim, tau, normalize, features);
            InfoNceLoss loss = new InfoNceLoss(new InfoNceOptions(tau, normalize, tiling));
            INDArray fa = v.a().toNd4j(type);
            INDArray fb = v.b().toNd4j(type);
            return new Fixture(
                    Map.of(),
                    () -> loss.compute(fa, fb),
                    shard -> loss.compute(fa, fb, shard),
                    (locations, shard) ->
                            InfoNceReference.compute(v.a(), v.b(), tau, normalize, shard.start(), shard.count()),
                    List.of(fa, fb));
        }

        @Override
        public String toString() {
            return "%s seed=%d B=%d D=%d tau=%s normalize=%s tiling=%s %s %s"
                    .formatted(loss(), seed, batch, dim, tau, normalize, describe(tiling), features, type);
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
                        randomTiling(rng),
                        "random",
                        randomType(rng)));
    }

    // ------------------------------------------------------------------------------------------
    // AMDIM

    private static final List<AmdimComparison> PAPER = AmdimOptions.PAPER_COMPARISONS;

    /**
     * Views hold r1 (one location, (B, D) or (B, D, 1, 1)), r5 (h5 x w5) and r7 (h7 x w7) whether or
     * not the comparisons use them, so unused maps must come back with zero gradients.
     *
     * @param randomSampler draw locations with {@link SourceSampler#random} and read them back from
     *     the result; otherwise give them with {@link SourceSampler#fixed}
     * @param features "random", "identical" (every image of a view is the same) or "saturated" (image
     *     i's every location is featureScale times the same unit direction plus small noise, the
     *     directions orthonormal across images: raw scores of featureScale^2 / sqrt(D) at the
     *     positives, ~0 elsewhere)
     */
    record AmdimCase(
            long seed,
            int batch,
            int dim,
            boolean r1FourD,
            int h5,
            int w5,
            int h7,
            int w7,
            List<AmdimComparison> comparisons,
            double tclip,
            double w,
            double featureScale,
            Tiling tiling,
            boolean randomSampler,
            String features,
            DataType type)
            implements LossCase {

        @Override
        public String loss() {
            return "AMDIM";
        }

        /** Rows are source images; column tiles hold whole target images (at least one). */
        @Override
        public int tiles() {
            int total = 0;
            for (AmdimComparison c : comparisons) {
                int locations = c.target().equals("r1") ? 1 : c.target().equals("r5") ? h5 * w5 : h7 * w7;
                total += 2 * imageTileCount(batch, locations, tiling);
            }
            return total;
        }

        @Override
        public Fixture open() {
            SplittableRandom rng = new SplittableRandom(seed);
            long[][] shapes = {
                r1FourD ? new long[] {batch, dim, 1, 1} : new long[] {batch, dim},
                {batch, dim, h5, w5},
                {batch, dim, h7, w7}
            };
            Views<Map<String, Tensor64>> v = amdimViews(rng, shapes, featureScale, features);
            Map<String, int[]> given = amdimLocations(rng, comparisons, v.a(), batch);
            SourceSampler sampler = sampler(randomSampler, seed, given);
            AmdimLoss loss = new AmdimLoss(new AmdimOptions(tclip, w, comparisons, tiling));
            Map<String, INDArray> fa = toNd4j(v.a(), type);
            Map<String, INDArray> fb = toNd4j(v.b(), type);
            return new Fixture(
                    given,
                    () -> loss.compute(fa, fb, sampler),
                    shard -> loss.compute(fa, fb, sampler, shard),
                    (locations, shard) -> AmdimReference.compute(
                            v.a(), v.b(), tclip, w, comparisons, locations, shard.start(), shard.count()),
                    Stream.concat(fa.values().stream(), fb.values().stream()).toList());
        }

        @Override
        public String toString() {
            return "%s seed=%d B=%d D=%d r1%s r5=%dx%d r7=%dx%d comparisons=%s %s"
                    .formatted(
                            loss(),
                            seed,
                            batch,
                            dim,
                            r1FourD ? "(B,D,1,1)" : "(B,D)",
                            h5,
                            w5,
                            h7,
                            w7,
                            comparisons.stream().map(AmdimComparison::name).toList(),
                            clipSettings(tclip, w, featureScale, tiling, randomSampler, features, type));
        }
    }

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
        return withRandomCases(cases, 8675309, AmdimCase::tiles, (seed, rng) -> {
            List<AmdimComparison> comps = new ArrayList<>();
            int count = 1 + rng.nextInt(3);
            while (comps.size() < count) {
                AmdimComparison c = new AmdimComparison(names[rng.nextInt(3)], names[rng.nextInt(3)]);
                if (!comps.contains(c)) {
                    comps.add(c);
                }
            }
            Tiling tiling = randomTiling(rng);
            int batch = 1 + rng.nextInt(9);
            double tclip = randomTclip(rng);
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
                    randomRegWeight(rng),
                    randomFeatureScale(rng, tclip),
                    tiling,
                    rng.nextBoolean(),
                    "random",
                    randomType(rng));
        });
    }

    // ------------------------------------------------------------------------------------------
    // YADIM

    /**
     * @param shape (B, D) or (B, D, H, W) of both last maps
     * @param features as for {@link AmdimCase}
     */
    record YadimCase(
            long seed,
            long[] shape,
            double tclip,
            double w,
            double featureScale,
            Tiling tiling,
            boolean randomSampler,
            String features,
            DataType type)
            implements LossCase {

        @Override
        public String loss() {
            return "YADIM";
        }

        @Override
        public int batch() {
            return (int) shape[0];
        }

        @Override
        public int tiles() {
            int locations = shape.length == 4 ? (int) (shape[2] * shape[3]) : 1;
            return 2 * imageTileCount(batch(), locations, tiling);
        }

        @Override
        public Fixture open() {
            SplittableRandom rng = new SplittableRandom(seed);
            Views<Tensor64> v = yadimViews(rng, shape, featureScale, features);
            Map<String, int[]> given = yadimLocations(rng, v.a());
            SourceSampler sampler = sampler(randomSampler, seed, given);
            YadimLoss loss = new YadimLoss(new YadimOptions(tclip, w, tiling));
            INDArray fa = v.a().toNd4j(type);
            INDArray fb = v.b().toNd4j(type);
            return new Fixture(
                    given,
                    () -> loss.compute(fa, fb, sampler),
                    shard -> loss.compute(fa, fb, sampler, shard),
                    (locations, shard) ->
                            YadimReference.compute(v.a(), v.b(), tclip, w, locations, shard.start(), shard.count()),
                    List.of(fa, fb));
        }

        @Override
        public String toString() {
            return "%s seed=%d shape=%s %s"
                    .formatted(
                            loss(),
                            seed,
                            Arrays.toString(shape),
                            clipSettings(tclip, w, featureScale, tiling, randomSampler, features, type));
        }
    }

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
        return withRandomCases(cases, 4242, YadimCase::tiles, (seed, rng) -> {
            Tiling tiling = randomTiling(rng);
            int batch = 1 + rng.nextInt(10);
            int dim = 1 + rng.nextInt(10);
            long[] shape = rng.nextInt(4) == 0
                    ? new long[] {batch, dim}
                    : new long[] {batch, dim, 1 + rng.nextInt(4), 1 + rng.nextInt(3)};
            double tclip = randomTclip(rng);
            double w = randomRegWeight(rng);
            double featureScale = randomFeatureScale(rng, tclip);
            return new YadimCase(
                    seed, shape, tclip, w, featureScale, tiling, rng.nextBoolean(), "random", randomType(rng));
        });
    }

    // --------------------------------------------------------------------------------------------
    // CPC

    record CpcCase(
            long seed,
            int batch,
            int dim,
            int height,
            int width,
            int skip,
            int predict,
            double embScale,
            Tiling tiling,
            String features,
            DataType type)
            implements LossCase {

        @Override
        public String loss() {
            return "CPC";
        }

        @Override
        public int tiles() {
            int total = 0;
            for (int k = skip; k < skip + predict; k++) {
                total += tileCount(batch * (height - k) * width, batch * height * width, tiling);
            }
            return total;
        }

        @Override
        public Fixture open() {
            CpcInputs in = LossInputs.cpcInputs(
                    new SplittableRandom(seed), new long[] {batch, dim, height, width}, skip, predict, features);
            CpcLoss loss = new CpcLoss(new CpcOptions(skip, predict, embScale, tiling));
            INDArray ft = in.targets().toNd4j(type);
            List<INDArray> fp =
                    in.predictions().stream().map(p -> p.toNd4j(type)).toList();
            List<INDArray> arrays = new ArrayList<>(fp);
            arrays.add(ft);
            return new Fixture(
                    Map.of(),
                    () -> loss.compute(ft, fp),
                    shard -> loss.compute(ft, fp, shard),
                    (locations, shard) -> CpcReference.compute(
                            in.targets(), in.predictions(), skip, embScale, shard.start(), shard.count()),
                    arrays);
        }

        @Override
        public String toString() {
            return "%s seed=%d B=%d D=%d H=%d W=%d skip=%d predict=%d embScale=%s tiling=%s %s %s"
                    .formatted(
                            loss(),
                            seed,
                            batch,
                            dim,
                            height,
                            width,
                            skip,
                            predict,
                            embScale,
                            describe(tiling),
                            features,
                            type);
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
        double[] scales = {0.1, 0.5, 1, 2};
        return withRandomCases(cases, 1618, CpcCase::tiles, (seed, rng) -> {
            Tiling tiling = randomTiling(rng);
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

    /** Number of score tiles of a rows x columns score matrix. */
    static int tileCount(int rows, int columns, Tiling tiling) {
        return ceilDiv(rows, tiling.rows()) * ceilDiv(columns, tiling.columns());
    }

    /**
     * Score tiles of a batch x batch image matrix whose column tiles hold whole target images of
     * {@code locations} each (at least one image per tile).
     */
    private static int imageTileCount(int batch, int locations, Tiling tiling) {
        return tileCount(batch, batch, new Tiling(tiling.rows(), Math.max(1, tiling.columns() / locations)));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** The end of an AMDIM or YADIM case's name: the clipped loss's settings, tiles, sampler and inputs. */
    private static String clipSettings(
            double tclip,
            double w,
            double featureScale,
            Tiling tiling,
            boolean randomSampler,
            String features,
            DataType type) {
        return "tclip=%s w=%s featureScale=%s tiling=%s %s %s %s"
                .formatted(
                        tclip,
                        w,
                        featureScale,
                        describe(tiling),
                        randomSampler ? "randomSampler" : "fixedSampler",
                        features,
                        type);
    }

    /** One of {@link #TILINGS}. */
    private static Tiling randomTiling(SplittableRandom rng) {
        return TILINGS[rng.nextInt(TILINGS.length)];
    }

    /** One of {@link #TCLIPS}. */
    private static double randomTclip(SplittableRandom rng) {
        return TCLIPS[rng.nextInt(TCLIPS.length)];
    }

    /** One of {@link #REG_WEIGHTS}. */
    private static double randomRegWeight(SplittableRandom rng) {
        return REG_WEIGHTS[rng.nextInt(REG_WEIGHTS.length)];
    }

    /**
     * 3 for half the tight clips (tclip <= 5), whose raw scores ~ featureScale^2 = 9 then lie deep
     * in tanh's flat part; 1 otherwise (no draw for loose clips).
     */
    private static double randomFeatureScale(SplittableRandom rng, double tclip) {
        return tclip <= 5 && rng.nextBoolean() ? 3 : 1;
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

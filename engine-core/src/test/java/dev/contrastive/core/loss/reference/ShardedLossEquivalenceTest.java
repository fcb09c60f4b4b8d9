package dev.contrastive.core.loss.reference;

import static dev.contrastive.core.loss.reference.FusedLossEquivalenceTest.assertMatches;
import static dev.contrastive.core.loss.reference.FusedLossEquivalenceTest.precision;
import static dev.contrastive.core.loss.reference.LossInputs.assertLocationsEqual;
import static dev.contrastive.core.loss.reference.LossInputs.usedLocations;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.nd4j.linalg.api.buffer.DataType.DOUBLE;
import static org.nd4j.linalg.api.buffer.DataType.FLOAT;

import dev.contrastive.core.kernel.NativeTiles;
import dev.contrastive.core.kernel.Tiling;
import dev.contrastive.core.loss.AmdimComparison;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.core.loss.reference.FusedLossEquivalenceTest.AmdimCase;
import dev.contrastive.core.loss.reference.FusedLossEquivalenceTest.CpcCase;
import dev.contrastive.core.loss.reference.FusedLossEquivalenceTest.Fixture;
import dev.contrastive.core.loss.reference.FusedLossEquivalenceTest.InfoNceCase;
import dev.contrastive.core.loss.reference.FusedLossEquivalenceTest.LossCase;
import dev.contrastive.core.loss.reference.FusedLossEquivalenceTest.Precision;
import dev.contrastive.core.loss.reference.FusedLossEquivalenceTest.YadimCase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The shard form of every loss: for partitions of the batch into one shard, two, three, uneven ones
 * and one image per shard, (1) each shard's result equals the float64 reference's terms of its
 * anchors, and (2) the shards' results combined ({@link LossResult#combine}) equal the full call's
 * loss, parts, diagnostics, counts and every gradient: in float32 within the suite's tolerance
 * (1e-4 relative per gradient tensor), in float64 within the suite's float64 one (1e-10).
 *
 * <p>Float32 cases take the native tile kernel when it loads; {@link
 * ShardedLossNd4jPathEquivalenceTest} runs them all again on the pure ND4J path. The largest
 * combined-vs-full differences are printed per loss and path when the class ends.
 */
class ShardedLossEquivalenceTest {

    /** Largest relative combined-vs-full differences: loss and parts, gradients, diagnostics. */
    private static final Map<String, double[]> WORST = new LinkedHashMap<>();

    @AfterAll
    static void printWorstDifferences() {
        WORST.forEach((key, w) -> System.out.printf(
                "shards combined vs full call, %s: loss/parts %.2e, gradients %.2e,"
                        + " diagnostics %.2e (largest relative differences)%n",
                key, w[0], w[1], w[2]));
        WORST.clear();
    }

    /**
     * One shard for the whole batch, two and three near-equal ones, an uneven cut (a single image at
     * each end, in reverse order, since combining must not care), and one image per shard.
     */
    static List<List<Shard>> partitions(int batch) {
        List<List<Shard>> partitions = new ArrayList<>();
        partitions.add(List.of(Shard.all(batch)));
        if (batch >= 2) {
            partitions.add(cuts(batch, batch / 2));
        }
        if (batch >= 3) {
            partitions.add(cuts(batch, batch / 3, 2 * batch / 3));
            List<Shard> uneven = new ArrayList<>(cuts(batch, 1, batch - 1));
            Collections.reverse(uneven);
            partitions.add(uneven);
        }
        if (batch >= 4) {
            int[] each = new int[batch - 1];
            Arrays.setAll(each, i -> i + 1);
            partitions.add(cuts(batch, each));
        }
        return partitions;
    }

    private static List<Shard> cuts(int batch, int... at) {
        List<Shard> shards = new ArrayList<>();
        int start = 0;
        for (int cut : at) {
            shards.add(new Shard(start, cut - start));
            start = cut;
        }
        shards.add(new Shard(start, batch - start));
        return shards;
    }

    /** Every loss's cases. */
    static Stream<LossCase> cases() {
        return Stream.of(infoNceCases(), amdimCases(), yadimCases(), cpcCases()).flatMap(cases -> cases);
    }

    /**
     * For every partition of the batch: each shard against the reference's terms of its anchors (on
     * the batch's source locations, which every shard must report), and the combined shards against
     * the full call.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shardsMatchReferenceAndCombineToFullCall(LossCase c) {
        Precision precision = precision(c.type(), c.features());
        try (Fixture f = c.open();
                LossResult full = f.full().get()) {
            Map<String, int[]> drawn = usedLocations(c, c.randomSampler(), f.given(), full);
            ReferenceResult fullReference = f.reference().apply(drawn, Shard.all(c.batch()));
            assertMatches(c + " full call", fullReference, full, precision);
            for (List<Shard> partition : partitions(c.batch())) {
                String cut = c + " shards " + partition;
                List<LossResult> shards = new ArrayList<>();
                try {
                    for (Shard shard : partition) {
                        LossResult r = f.shard().apply(shard);
                        shards.add(r);
                        assertLocationsEqual(cut + ": " + shard + ": the batch's draw", drawn, r.sourceLocations());
                        assertMatches(
                                cut + ": " + shard + " vs reference",
                                f.reference().apply(drawn, shard),
                                r,
                                precision);
                    }
                    try (LossResult combined = LossResult.combine(shards)) {
                        assertCombinedMatchesFull(
                                cut + ": combined vs full call",
                                c.loss(),
                                c.type(),
                                precision,
                                fullReference,
                                full,
                                combined);
                    }
                } finally {
                    shards.forEach(LossResult::close);
                }
            }
        }
    }

    // ----------------------------------------------------------------------------------------
    // InfoNCE

    static Stream<InfoNceCase> infoNceCases() {
        return Stream.of(
                new InfoNceCase(1, 7, 6, 0.1, true, new Tiling(3, 5), "random", FLOAT),
                new InfoNceCase(2, 7, 6, 0.5, false, new Tiling(2, 7), "random", FLOAT),
                new InfoNceCase(3, 9, 5, 0.2, true, Tiling.DEFAULT, "random", FLOAT),
                new InfoNceCase(4, 4, 3, 1, false, new Tiling(1, 1), "random", FLOAT),
                new InfoNceCase(5, 1, 4, 0.1, true, new Tiling(3, 5), "random", FLOAT),
                new InfoNceCase(6, 2, 8, 0.05, true, new Tiling(5, 3), "random", FLOAT),
                new InfoNceCase(7, 6, 4, 0.1, true, new Tiling(3, 5), "zeroRow", FLOAT),
                new InfoNceCase(8, 12, 19, 0.01, true, new Tiling(5, 7), "saturated", FLOAT),
                new InfoNceCase(9, 7, 6, 0.1, true, new Tiling(3, 5), "random", DOUBLE),
                new InfoNceCase(10, 8, 5, 0.5, false, Tiling.DEFAULT, "random", DOUBLE),
                new InfoNceCase(11, 12, 19, 0.01, false, new Tiling(5, 7), "saturated", DOUBLE));
    }

    // ------------------------------------------------------------------------------------------
    // AMDIM

    private static final List<AmdimComparison> PAPER = AmdimOptions.PAPER_COMPARISONS;

    /** Multi-location sources only: r5 predicting r1, r7 predicting r7. */
    private static final List<AmdimComparison> CUSTOM =
            List.of(new AmdimComparison("r5", "r1"), new AmdimComparison("r7", "r7"));

    /** r1 is (B, D); comparisons with a multi-location source draw their locations for the whole batch. */
    static Stream<AmdimCase> amdimCases() {
        return Stream.of(
                new AmdimCase(1, 7, 5, false, 2, 3, 3, 3, PAPER, 20, 0.05, 1, new Tiling(3, 5), true, "random", FLOAT),
                new AmdimCase(
                        2, 6, 3, false, 2, 2, 3, 2, CUSTOM, 20, 0.05, 1, new Tiling(2, 7), false, "random", FLOAT),
                new AmdimCase(3, 5, 4, false, 2, 2, 2, 2, PAPER, 5, 0.05, 3, Tiling.DEFAULT, true, "random", FLOAT),
                new AmdimCase(4, 4, 3, false, 2, 2, 3, 1, PAPER, 10, 0.1, 1, new Tiling(1, 1), false, "random", FLOAT),
                new AmdimCase(5, 1, 4, false, 3, 3, 2, 2, PAPER, 20, 0.05, 1, new Tiling(3, 5), true, "random", FLOAT),
                new AmdimCase(
                        6, 6, 8, false, 2, 2, 2, 2, PAPER, 50, 0, 10.6, new Tiling(3, 5), false, "saturated", FLOAT),
                new AmdimCase(7, 7, 5, false, 2, 3, 3, 3, PAPER, 20, 0.05, 1, new Tiling(3, 5), true, "random", DOUBLE),
                new AmdimCase(8, 5, 3, false, 2, 2, 3, 2, CUSTOM, 5, 1, 3, new Tiling(5, 3), false, "random", DOUBLE));
    }

    // ------------------------------------------------------------------------------------------
    // YADIM

    static Stream<YadimCase> yadimCases() {
        return Stream.of(
                new YadimCase(1, new long[] {7, 4, 2, 3}, 20, 0.05, 1, new Tiling(3, 5), true, "random", FLOAT),
                new YadimCase(2, new long[] {6, 8}, 20, 0.05, 1, Tiling.DEFAULT, false, "random", FLOAT),
                new YadimCase(3, new long[] {5, 3, 3, 2}, 10, 1, 1, new Tiling(1, 1), false, "random", FLOAT),
                new YadimCase(4, new long[] {5, 4, 3, 2}, 20, 0.05, 1, new Tiling(2, 7), true, "random", DOUBLE));
    }

    // --------------------------------------------------------------------------------------------
    // CPC

    static Stream<CpcCase> cpcCases() {
        return Stream.of(
                new CpcCase(1, 5, 6, 5, 3, 2, 3, 0.1, new Tiling(3, 5), "random", FLOAT),
                new CpcCase(2, 4, 8, 4, 2, 1, 2, 1, Tiling.DEFAULT, "random", FLOAT),
                new CpcCase(3, 3, 5, 6, 2, 1, 3, 0.5, new Tiling(2, 7), "random", FLOAT),
                new CpcCase(4, 1, 4, 4, 3, 1, 1, 1, new Tiling(1, 1), "random", FLOAT),
                new CpcCase(5, 4, 19, 5, 3, 2, 3, 60, new Tiling(3, 5), "saturated", FLOAT),
                new CpcCase(6, 3, 5, 6, 2, 1, 3, 0.5, new Tiling(2, 7), "random", DOUBLE),
                new CpcCase(7, 5, 6, 5, 3, 2, 2, 2, Tiling.DEFAULT, "random", DOUBLE));
    }

    // ----------------------------------------------------------------------------------------
    // helpers

    /**
     * The full call's result stands in for the reference, with the reference's margins and largest
     * score, so that the suite's tolerances (and near-tie allowance for accuracy) apply unchanged.
     */
    private static void assertCombinedMatchesFull(
            String what,
            String lossName,
            DataType type,
            Precision precision,
            ReferenceResult fullReference,
            LossResult full,
            LossResult combined) {
        Map<String, Tensor64> fullGradients = new LinkedHashMap<>();
        full.gradients().forEach((name, g) -> fullGradients.put(name, Tensor64.of(g)));
        ReferenceResult expected = new ReferenceResult(
                full.loss(),
                full.parts(),
                full.diagnostics(),
                fullGradients,
                fullReference.margins(),
                fullReference.maxAbsScore());
        assertMatches(what, expected, combined, precision);
        assertEquals(full.positives(), combined.positives(), what + ": positives");
        assertEquals(full.negatives(), combined.negatives(), what + ": negatives");
        assertLocationsEqual(what + ": sourceLocations", full.sourceLocations(), combined.sourceLocations());

        double[] worst = WORST.computeIfAbsent(
                lossName
                        + " "
                        + (type == DOUBLE ? "float64 (ND4J path)" : "float32 (" + NativeTiles.activePath() + " path)"),
                k -> new double[3]);
        worst[0] = Math.max(worst[0], relative(full.loss(), combined.loss()));
        full.parts()
                .forEach((name, value) -> worst[0] =
                        Math.max(worst[0], relative(value, combined.parts().get(name))));
        fullGradients.forEach((name, g) -> {
            double[] cg = Tensor64.of(combined.gradient(name)).data();
            double maxDiff = 0;
            for (int i = 0; i < cg.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(cg[i] - g.data()[i]));
            }
            worst[1] = Math.max(worst[1], g.maxAbs() == 0 ? maxDiff : maxDiff / g.maxAbs());
        });
        worst[2] = Math.max(
                worst[2],
                relative(
                        full.diagnostics().meanPositive(),
                        combined.diagnostics().meanPositive()));
        if (!Double.isNaN(full.diagnostics().meanNegative())) {
            worst[2] = Math.max(
                    worst[2],
                    relative(
                            full.diagnostics().meanNegative(),
                            combined.diagnostics().meanNegative()));
        }
        worst[2] = Math.max(
                worst[2],
                Math.abs(full.diagnostics().accuracy() - combined.diagnostics().accuracy()));
    }

    /** |x - expected| / max(|expected|, 1e-300); exact agreement is 0. */
    private static double relative(double expected, double x) {
        return x == expected ? 0 : Math.abs(x - expected) / Math.max(Math.abs(expected), 1e-300);
    }
}

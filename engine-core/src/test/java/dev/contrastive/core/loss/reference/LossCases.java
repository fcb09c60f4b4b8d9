package dev.contrastive.core.loss.reference;

import static dev.contrastive.core.loss.reference.LossInputs.amdimLocations;
import static dev.contrastive.core.loss.reference.LossInputs.amdimViews;
import static dev.contrastive.core.loss.reference.LossInputs.describe;
import static dev.contrastive.core.loss.reference.LossInputs.sampler;
import static dev.contrastive.core.loss.reference.LossInputs.toNd4j;
import static dev.contrastive.core.loss.reference.LossInputs.yadimLocations;
import static dev.contrastive.core.loss.reference.LossInputs.yadimViews;

import dev.contrastive.core.kernel.Tiling;
import dev.contrastive.core.loss.AmdimComparison;
import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.CpcLoss;
import dev.contrastive.core.loss.CpcOptions;
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
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The seeded cases of each loss that {@link FusedLossEquivalenceTest} and {@link
 * ShardedLossEquivalenceTest} run, and what a case opens: its inputs drawn from its seed ({@link
 * LossInputs}), the fused loss on them at the case's data type, and the float64 reference on the
 * same values. Both suites thus draw, convert and call every loss the same way.
 */
final class LossCases {

    private LossCases() {}

    /** A seeded case of one loss. */
    sealed interface LossCase permits InfoNceCase, AmdimCase, YadimCase, CpcCase {

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
            return "seed=%d B=%d D=%d tau=%s normalize=%s tiling=%s %s %s"
                    .formatted(seed, batch, dim, tau, normalize, describe(tiling), features, type);
        }
    }

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
            return ("seed=%d B=%d D=%d r1%s r5=%dx%d r7=%dx%d comparisons=%s tclip=%s w=%s featureScale=%s"
                            + " tiling=%s %s %s %s")
                    .formatted(
                            seed,
                            batch,
                            dim,
                            r1FourD ? "(B,D,1,1)" : "(B,D)",
                            h5,
                            w5,
                            h7,
                            w7,
                            comparisons.stream().map(AmdimComparison::name).toList(),
                            tclip,
                            w,
                            featureScale,
                            describe(tiling),
                            samplerName(randomSampler),
                            features,
                            type);
        }
    }

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
            return "seed=%d shape=%s tclip=%s w=%s featureScale=%s tiling=%s %s %s %s"
                    .formatted(
                            seed,
                            Arrays.toString(shape),
                            tclip,
                            w,
                            featureScale,
                            describe(tiling),
                            samplerName(randomSampler),
                            features,
                            type);
        }
    }

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
            return "seed=%d B=%d D=%d H=%d W=%d skip=%d predict=%d embScale=%s tiling=%s %s %s"
                    .formatted(
                            seed, batch, dim, height, width, skip, predict, embScale, describe(tiling), features, type);
        }
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

    private static String samplerName(boolean random) {
        return random ? "randomSampler" : "fixedSampler";
    }
}

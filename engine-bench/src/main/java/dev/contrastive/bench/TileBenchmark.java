package dev.contrastive.bench;

import dev.contrastive.core.kernel.MultiPositiveNceKernel;
import dev.contrastive.core.kernel.ScoreStats;
import dev.contrastive.core.kernel.Tiling;
import dev.contrastive.core.loss.AmdimComparison;
import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.InfoNceLoss;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.loss.SourceSampler;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Tile sweep behind {@code Tiling.DEFAULT}: the fused losses at their largest benchmark shapes
 * (InfoNCE B = 4096, D = 128, 8192 x 8192 scores; AMDIM B = 128, D = 512, r1 -> r7, 128 x 6272 raw
 * scores per direction) for every tile of rows {64, 128, 256, 512} x columns {1024, 4096, 8192,
 * 65536}.
 *
 * <p>Columns that cover a whole row (8192 and up for InfoNCE; 8192 and up for AMDIM, whose columns
 * are rounded down to whole 49-location images) run the one-pass strip path; narrower ones stream
 * and recompute the scores in the backward pass. AMDIM sweeps rows {64, 128, 256}: the kernel
 * clamps the row tile to B = 128, so 256 (the default's rows) repeats 128, which shows the
 * run-to-run noise, and 512 would only repeat it again. {@code amdimKernel} times the AMDIM kernel
 * alone on one direction: in the whole loss, input validation and the NCHW-to-rows copies cost more
 * than the kernel and their scatter hides the tile's effect.
 */
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class TileBenchmark extends ForkedBenchmark {

    /** InfoNCE at B = 4096 with one tile shape. */
    @State(Scope.Benchmark)
    public static class InfoNce {
        static final int BATCH = 4096;
        static final int DIM = 128;

        @Param({"64", "128", "256", "512"})
        public int rows;

        @Param({"1024", "4096", "8192", "65536"})
        public int columns;

        RandomInputs.InfoNceViews views;
        InfoNceLoss loss;

        @Setup(Level.Trial)
        public void setUp() {
            NativeThreads.requireNd4jMatchesTorch();
            views = RandomInputs.infoNceViews(LossBenchmark.SEED, BATCH, DIM);
            loss = new InfoNceLoss(InfoNceOptions.defaults().withTiling(new Tiling(rows, columns)));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            views.close();
        }
    }

    /** AMDIM r1 -> r7 at B = 128 with one tile shape. */
    @State(Scope.Benchmark)
    public static class Amdim {
        static final int BATCH = 128;
        static final int DIM = 512;
        static final int SIDE = 7;

        @Param({"64", "128", "256"})
        public int rows;

        @Param({"1024", "4096", "8192", "65536"})
        public int columns;

        RandomInputs.AmdimViews views;
        AmdimLoss loss;
        SourceSampler sampler;

        @Setup(Level.Trial)
        public void setUp() {
            NativeThreads.requireNd4jMatchesTorch();
            long seed = LossBenchmark.SEED;
            views = RandomInputs.amdimViews(seed, new long[] {BATCH, DIM}, "r7", new long[] {BATCH, DIM, SIDE, SIDE});
            loss = new AmdimLoss(AmdimOptions.defaults()
                    .withComparisons(List.of(new AmdimComparison("r1", "r7")))
                    .withTiling(new Tiling(rows, columns)));
            sampler = SourceSampler.random(seed);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            views.close();
        }
    }

    /** One AMDIM direction's kernel inputs (r1 sources, r7 target rows) with one tile shape. */
    @State(Scope.Benchmark)
    public static class AmdimKernel {
        @Param({"64", "128", "256"})
        public int rows;

        @Param({"1024", "4096", "8192", "65536"})
        public int columns;

        static final int LOCATIONS = Amdim.SIDE * Amdim.SIDE;

        INDArray sources;
        INDArray targets;
        INDArray dSources;
        INDArray dTargets;
        Tiling tiling;

        @Setup(Level.Trial)
        public void setUp() {
            NativeThreads.requireNd4jMatchesTorch();
            long targetRows = (long) Amdim.BATCH * LOCATIONS;
            sources = RandomInputs.nd4j(
                    RandomInputs.gaussian(LossBenchmark.SEED, (long) Amdim.BATCH * Amdim.DIM), Amdim.BATCH, Amdim.DIM);
            targets = RandomInputs.nd4j(
                    RandomInputs.gaussian(LossBenchmark.SEED + 2, targetRows * Amdim.DIM), targetRows, Amdim.DIM);
            dSources = Nd4j.create(DataType.FLOAT, Amdim.BATCH, Amdim.DIM);
            dTargets = Nd4j.create(DataType.FLOAT, targetRows, Amdim.DIM);
            tiling = new Tiling(rows, columns);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            sources.close();
            targets.close();
            dSources.close();
            dTargets.close();
        }
    }

    /**
     * Fused InfoNCE with the state's tile. Pitfall: a narrow column tile computes every score twice
     * (pass 1 for the row statistics, pass 2 for the gradient), so it must win on cache reuse what it
     * loses in recomputation; comparing only forward times would hide that.
     */
    @Benchmark
    public void infoNce(InfoNce s, Blackhole bh) {
        LossBenchmark.consume(bh, s.loss.compute(s.views.a(), s.views.b()));
    }

    /**
     * Fused AMDIM with the state's tile. Pitfall: per-row bookkeeping (positive blocks, coefficients)
     * runs once per tile, so very narrow tiles pay it many times; the sweep includes 1024 columns (20
     * images) to show that cost.
     */
    @Benchmark
    public void amdim(Amdim s, Blackhole bh) {
        LossBenchmark.consume(bh, s.loss.compute(s.views.a(), s.views.b(), s.sampler));
    }

    /**
     * One direction of AMDIM's kernel with the weights AmdimLoss passes (defaults: tclip 20, w 0.05).
     * Pitfall: the outputs are preallocated and overwritten, so this leaves out the per-call
     * allocations the loss makes around the kernel; it isolates the tile, not the loss.
     */
    @Benchmark
    public void amdimKernel(AmdimKernel s, Blackhole bh) {
        double batch = Amdim.BATCH;
        double locations = AmdimKernel.LOCATIONS;
        ScoreStats stats = MultiPositiveNceKernel.run(
                new MultiPositiveNceKernel.Problem(
                        s.sources,
                        s.targets,
                        AmdimKernel.LOCATIONS,
                        0,
                        1.0 / Math.sqrt(Amdim.DIM),
                        20.0,
                        0.5 / (batch * locations),
                        0.5 * 0.05 / (batch * batch * locations),
                        s.dSources,
                        s.dTargets),
                s.tiling);
        bh.consume(stats.loss());
        bh.consume(s.dSources);
        bh.consume(s.dTargets);
    }
}

package dev.contrastive.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.contrastive.bench.materialized.MaterializedLosses;
import dev.contrastive.bench.torch.TorchLosses;
import dev.contrastive.bench.torch.TorchRuntime;
import dev.contrastive.core.kernel.NativeTiles;
import dev.contrastive.core.loss.AmdimComparison;
import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.CpcLoss;
import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.core.loss.InfoNceLoss;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.loss.LossValues;
import dev.contrastive.core.loss.SourceSampler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Fused losses (forward + backward in one call) side by side with the same loss materialised on
 * ND4J, the same loss in PyTorch with autograd, and the BLAS time of the matrix products the loss
 * needs. {@code fused} takes the default kernel path (the C++ tile kernel when it loads), {@code
 * fusedNd4j} the pure ND4J one. Method names are {@code <loss><Method>}; {@code BenchReport} groups
 * them by loss and shape.
 *
 * <p>Shapes: InfoNCE B in {256, 1024, 4096}, D = 128 (SimCLR defaults, 2B x 2B scores). AMDIM B =
 * 128, D = 512 with a single comparison, r1 -> r5 (25 target locations) or r1 -> r7 (49), in both
 * directions: one comparison keeps the timing attributable to one score shape, and the default
 * three comparisons cost the sum of their shapes. CPC v2 B = 32, a 7 x 7 grid, D = 64, offsets 2,
 * 3, 4.
 *
 * <p>Every (method, shape) pair runs in a fresh JVM forked with the same arguments, so JIT
 * profiles, workspaces and native allocator state of one method never leak into another; comparing
 * them within one run keeps machine and build identical. The forks inherit the launcher's
 * environment, and that is the only way to size native thread pools: ND4J's OpenMP runtime and
 * OpenBLAS read {@code OMP_NUM_THREADS} / {@code OPENBLAS_NUM_THREADS} when their libraries load,
 * which {@code jvmArgsAppend} cannot set. {@code scripts/bench-loss.sh} exports them; PyTorch is
 * given the same count by {@link TorchRuntime}, and every state checks ND4J's count against it at
 * setup.
 *
 * <p>{@code -Dorg.bytedeco.javacpp.nopointergc=true} is deliberately absent: with ND4J 1.0.0-M2.1
 * it switches off ND4J's deallocator, and then even {@code INDArray.close()} returns nothing to the
 * system (a 12.8 MB create-and-close loop grows the RSS by 12.3 MB per iteration), so every call
 * would fault in fresh pages and the runs would time the kernel's page allocator. The other
 * arguments are in {@link ForkJvm}.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LossBenchmark extends ForkedBenchmark {

    static final long SEED = 20240601L;

    // ---------------------------------------------------------------- InfoNCE

    /** InfoNCE shape: B features per view, D = 128. */
    @State(Scope.Benchmark)
    public abstract static class InfoNceShape {
        static final int DIM = 128;

        @Param({"256", "1024", "4096"})
        public int batch;
    }

    /** ND4J inputs and the fused loss with its default options. */
    public static class InfoNceNd4j extends InfoNceShape {
        RandomInputs.InfoNceViews views;
        InfoNceLoss loss;

        @Setup(Level.Trial)
        public void setUp() {
            NativeThreads.requireNd4jMatchesTorch();
            views = RandomInputs.infoNceViews(SEED, batch, DIM);
            loss = new InfoNceLoss(InfoNceOptions.defaults());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            views.close();
        }
    }

    /** The same inputs with the fused kernels' elementwise work on ND4J ops instead of C++. */
    public static class InfoNceNd4jPath extends InfoNceNd4j {
        @Setup(Level.Trial)
        public void useNd4jPath() {
            NativeTiles.setEnabled(false);
        }
    }

    /** PyTorch inputs (the same values) and the operands of the matmul baseline. */
    public static class InfoNceTorch extends InfoNceShape {
        NDManager manager;
        NDArray a;
        NDArray b;
        NDArray z;

        @Setup(Level.Trial)
        public void setUp() {
            manager = TorchRuntime.engine().newBaseManager();
            a = RandomInputs.torch(manager, RandomInputs.gaussian(SEED, (long) batch * DIM), batch, DIM);
            b = RandomInputs.torch(manager, RandomInputs.gaussian(SEED + 1, (long) batch * DIM), batch, DIM);
            z = a.concat(b, 0).normalize(2, 1, 1e-12);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            manager.close();
        }
    }

    /** Preallocated operands of the three 2B x 2B x D products: S = Z Z^T, dZ = G Z + G^T Z. */
    public static class InfoNceGemm extends InfoNceShape {
        INDArray z;
        INDArray scores;
        INDArray dz;

        @Setup(Level.Trial)
        public void setUp() {
            NativeThreads.requireNd4jMatchesTorch();
            int n = 2 * batch;
            z = RandomInputs.nd4j(RandomInputs.gaussian(SEED, (long) n * DIM), n, DIM);
            z.diviColumnVector(z.norm2(true, 1));
            scores = Nd4j.create(DataType.FLOAT, n, n);
            dz = Nd4j.create(DataType.FLOAT, n, DIM);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            z.close();
            scores.close();
            dz.close();
        }
    }

    /** Our fused InfoNCE; {@link #consume} closes its result (see there why that matters). */
    @Benchmark
    public void infoNceFused(InfoNceNd4j s, Blackhole bh) {
        consume(bh, s.loss.compute(s.views.a(), s.views.b()));
    }

    /**
     * Our fused InfoNCE on the pure ND4J tile path. Pitfall: the path is a JVM-wide switch; set in
     * this state's setup it holds for the whole fork and for no other benchmark, which each get a
     * fresh JVM.
     */
    @Benchmark
    public void infoNceFusedNd4j(InfoNceNd4jPath s, Blackhole bh) {
        infoNceFused(s, bh);
    }

    /**
     * The 2B x 2B score matrix held in full. Pitfall: at B = 4096 it is 256 MB; without a workspace
     * every call would map and fault in fresh pages, timing the kernel's page allocator.
     */
    @Benchmark
    public void infoNceMaterialized(InfoNceNd4j s, Blackhole bh) {
        consume(bh, MaterializedLosses.infoNce(s.views.a(), s.views.b(), s.loss.options()));
    }

    /**
     * PyTorch with autograd. Pitfall: gradients of a reused leaf accumulate across calls (DJL's
     * collector does not zero them), so each call detaches fresh leaves; reading the loss as a double
     * also waits for the whole graph, which matters once work is asynchronous.
     */
    @Benchmark
    public void infoNceTorch(InfoNceTorch s, Blackhole bh) {
        consume(bh, TorchLosses.infoNce(s.a, s.b, InfoNceOptions.defaults()));
    }

    /**
     * PyTorch's BLAS on the same three products. Pitfall: every matMul allocates its output (256 MB
     * at B = 4096), so this is matmul plus allocation, as the PyTorch loss pays it; sgemm writes into
     * preallocated buffers.
     */
    @Benchmark
    public void infoNceTorchMatmul(InfoNceTorch s, Blackhole bh) {
        try (NDManager scope = s.manager.newSubManager()) {
            s.z.tempAttach(scope);
            NDArray scores = s.z.matMul(s.z.transpose());
            bh.consume(scores.matMul(s.z));
            bh.consume(scores.transpose().matMul(s.z));
        }
    }

    /**
     * The BLAS floor: forward scores and both backward products, same M, N, K as the loss. Pitfall:
     * it is a floor only for an implementation that does all three full products; one exploiting S's
     * symmetry (syrk) could go below it, and score values here are arbitrary (no exp/log work).
     */
    @Benchmark
    public void infoNceSgemm(InfoNceGemm s, Blackhole bh) {
        Nd4j.gemm(s.z, s.z, s.scores, false, true, 1.0, 0.0);
        Nd4j.gemm(s.scores, s.z, s.dz, false, false, 1.0, 0.0);
        Nd4j.gemm(s.scores, s.z, s.dz, true, false, 1.0, 1.0);
        bh.consume(s.scores);
        bh.consume(s.dz);
    }

    // ---------------------------------------------------------------- AMDIM

    /** AMDIM shape: B = 128, D = 512, one comparison r1 -> r5 (25 locations) or r1 -> r7 (49). */
    @State(Scope.Benchmark)
    public abstract static class AmdimShape {
        static final int BATCH = 128;
        static final int DIM = 512;

        @Param({"25", "49"})
        public int locations;

        int side() {
            return (int) Math.round(Math.sqrt(locations));
        }

        String target() {
            return "r" + side();
        }

        long[] targetShape() {
            return new long[] {BATCH, DIM, side(), side()};
        }

        AmdimOptions options() {
            return AmdimOptions.defaults().withComparisons(List.of(new AmdimComparison("r1", target())));
        }
    }

    /** ND4J views A and B (r1 and the target map) and the fused loss. */
    public static class AmdimNd4j extends AmdimShape {
        RandomInputs.AmdimViews views;
        AmdimLoss loss;
        SourceSampler sampler;

        @Setup(Level.Trial)
        public void setUp() {
            NativeThreads.requireNd4jMatchesTorch();
            views = RandomInputs.amdimViews(SEED, new long[] {BATCH, DIM}, target(), targetShape());
            loss = new AmdimLoss(options());
            sampler = SourceSampler.random(SEED);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            views.close();
        }
    }

    /** The same views with the fused kernels' elementwise work on ND4J ops instead of C++. */
    public static class AmdimNd4jPath extends AmdimNd4j {
        @Setup(Level.Trial)
        public void useNd4jPath() {
            NativeTiles.setEnabled(false);
        }
    }

    /** PyTorch views with the same values. */
    public static class AmdimTorch extends AmdimShape {
        NDManager manager;
        Map<String, NDArray> viewA;
        Map<String, NDArray> viewB;
        SourceSampler sampler;
        NDArray[] sources;
        NDArray[] targets;

        @Setup(Level.Trial)
        public void setUp() {
            manager = TorchRuntime.engine().newBaseManager();
            viewA = new LinkedHashMap<>();
            viewB = new LinkedHashMap<>();
            long[] r1 = {BATCH, DIM};
            viewA.put("r1", RandomInputs.torch(manager, RandomInputs.gaussian(SEED, RandomInputs.count(r1)), r1));
            viewB.put("r1", RandomInputs.torch(manager, RandomInputs.gaussian(SEED + 1, RandomInputs.count(r1)), r1));
            long[] t = targetShape();
            viewA.put(target(), RandomInputs.torch(manager, RandomInputs.gaussian(SEED + 2, RandomInputs.count(t)), t));
            viewB.put(target(), RandomInputs.torch(manager, RandomInputs.gaussian(SEED + 3, RandomInputs.count(t)), t));
            sampler = SourceSampler.random(SEED);
            sources = new NDArray[] {viewA.get("r1"), viewB.get("r1")};
            targets = new NDArray[] {targetRows(viewB), targetRows(viewA)};
        }

        /** (B * L, D) target rows of one view, image-major, as the loss lays them out. */
        private NDArray targetRows(Map<String, NDArray> view) {
            return view.get(target())
                    .reshape(BATCH, DIM, locations)
                    .transpose(0, 2, 1)
                    .reshape((long) BATCH * locations, DIM);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            manager.close();
        }
    }

    /** Preallocated operands of both directions' three products (B x B*L x D, B x D x B*L, ...). */
    public static class AmdimGemm extends AmdimShape {
        INDArray[] sources;
        INDArray[] targets;
        INDArray raw;
        INDArray dSource;
        INDArray dTarget;

        @Setup(Level.Trial)
        public void setUp() {
            NativeThreads.requireNd4jMatchesTorch();
            long rows = (long) BATCH * locations;
            sources = new INDArray[2];
            targets = new INDArray[2];
            for (int d = 0; d < 2; d++) {
                sources[d] = RandomInputs.nd4j(RandomInputs.gaussian(SEED + d, (long) BATCH * DIM), BATCH, DIM);
                targets[d] = RandomInputs.nd4j(RandomInputs.gaussian(SEED + 2 + d, rows * DIM), rows, DIM);
            }
            raw = Nd4j.create(DataType.FLOAT, BATCH, rows);
            dSource = Nd4j.create(DataType.FLOAT, BATCH, DIM);
            dTarget = Nd4j.create(DataType.FLOAT, rows, DIM);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (int d = 0; d < 2; d++) {
                sources[d].close();
                targets[d].close();
            }
            raw.close();
            dSource.close();
            dTarget.close();
        }
    }

    /**
     * Our fused AMDIM. Pitfall: on ND4J 1.0.0-M2.1 {@code close()} does not return native memory;
     * only a Java GC does. This loss allocates tens of MB of maps and gradients per call but little
     * Java garbage, so with a 2 GB heap no GC runs during a measurement and every call faults in
     * fresh pages (Nd4jCpu.allocateDataBuffer then dominates the profile): the time depends on -Xmx.
     */
    @Benchmark
    public void amdimFused(AmdimNd4j s, Blackhole bh) {
        consume(bh, s.loss.compute(s.views.a(), s.views.b(), s.sampler));
    }

    /**
     * Our fused AMDIM on the pure ND4J tile path. Pitfall: the tile's elementwise work here is a
     * dozen separate ND4J ops, each a full pass over the tile, so this path is bound by memory
     * traffic.
     */
    @Benchmark
    public void amdimFusedNd4j(AmdimNd4jPath s, Blackhole bh) {
        amdimFused(s, bh);
    }

    /**
     * The B x B x L scores held in full, masks as in amdim-public. Pitfall: the masks and exp buffers
     * are as large as the scores, so this is memory-bound; its time is not "gemm plus a little".
     */
    @Benchmark
    public void amdimMaterialized(AmdimNd4j s, Blackhole bh) {
        consume(bh, MaterializedLosses.amdim(s.views.a(), s.views.b(), s.loss.options(), s.sampler));
    }

    /**
     * PyTorch with autograd, amdim-public's loss_xent written in DJL. Pitfall: autograd keeps every
     * intermediate (raw, tanh, masks, exp) alive until backward, so its memory traffic, not its
     * matmuls, sets the time at small D.
     */
    @Benchmark
    public void amdimTorch(AmdimTorch s, Blackhole bh) {
        consume(bh, TorchLosses.amdim(s.viewA, s.viewB, s.options(), s.sampler));
    }

    /**
     * PyTorch's BLAS on both directions' products. Pitfall: the operands are prepared as row matrices
     * at setup, so the NCHW-to-rows copy the loss pays is excluded, while output allocation is
     * included.
     */
    @Benchmark
    public void amdimTorchMatmul(AmdimTorch s, Blackhole bh) {
        try (NDManager scope = s.manager.newSubManager()) {
            for (int d = 0; d < 2; d++) {
                s.sources[d].tempAttach(scope);
                s.targets[d].tempAttach(scope);
                NDArray raw = s.sources[d].matMul(s.targets[d].transpose());
                bh.consume(raw.matMul(s.targets[d]));
                bh.consume(raw.transpose().matMul(s.sources[d]));
            }
        }
    }

    /**
     * The BLAS floor: per direction raw = S T^T, dS = G T, dT = G^T S. Pitfall: the r1 source side is
     * only 128 rows, so these are skinny products far from peak FLOP/s; a low "% of sgemm" here says
     * the elementwise work dominates, not that the BLAS is slow.
     */
    @Benchmark
    public void amdimSgemm(AmdimGemm s, Blackhole bh) {
        for (int d = 0; d < 2; d++) {
            Nd4j.gemm(s.sources[d], s.targets[d], s.raw, false, true, 1.0, 0.0);
            Nd4j.gemm(s.raw, s.targets[d], s.dSource, false, false, 1.0, 0.0);
            Nd4j.gemm(s.raw, s.sources[d], s.dTarget, true, false, 1.0, 0.0);
        }
        bh.consume(s.raw);
        bh.consume(s.dSource);
        bh.consume(s.dTarget);
    }

    // ---------------------------------------------------------------- CPC

    /** CPC v2 shape: B = 32, 7 x 7 grid, D = 64, offsets 2, 3, 4 (1568 candidates per row). */
    @State(Scope.Benchmark)
    public abstract static class CpcShape {
        static final int BATCH = 32;
        static final int DIM = 64;
        static final int GRID = 7;
        static final long[] SHAPE = {BATCH, DIM, GRID, GRID};

        CpcOptions options() {
            return CpcOptions.defaults();
        }
    }

    /** ND4J targets, one prediction map per offset, and the fused loss. */
    public static class CpcNd4j extends CpcShape {
        INDArray targets;
        List<INDArray> predictions;
        CpcLoss loss;

        @Setup(Level.Trial)
        public void setUp() {
            NativeThreads.requireNd4jMatchesTorch();
            long n = RandomInputs.count(SHAPE);
            targets = RandomInputs.nd4j(RandomInputs.gaussian(SEED, n), SHAPE);
            predictions = new ArrayList<>();
            for (int s = 0; s < options().stepsToPredict(); s++) {
                predictions.add(RandomInputs.nd4j(RandomInputs.gaussian(SEED + 1 + s, n), SHAPE));
            }
            loss = new CpcLoss(options());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            targets.close();
            predictions.forEach(INDArray::close);
        }
    }

    /** The same maps with the fused kernels' elementwise work on ND4J ops instead of C++. */
    public static class CpcNd4jPath extends CpcNd4j {
        @Setup(Level.Trial)
        public void useNd4jPath() {
            NativeTiles.setEnabled(false);
        }
    }

    /** PyTorch targets and predictions with the same values. */
    public static class CpcTorch extends CpcShape {
        NDManager manager;
        NDArray targets;
        List<NDArray> predictions;
        NDArray keys;
        NDArray[] queries;

        @Setup(Level.Trial)
        public void setUp() {
            manager = TorchRuntime.engine().newBaseManager();
            long n = RandomInputs.count(SHAPE);
            targets = RandomInputs.torch(manager, RandomInputs.gaussian(SEED, n), SHAPE);
            predictions = new ArrayList<>();
            for (int s = 0; s < options().stepsToPredict(); s++) {
                predictions.add(RandomInputs.torch(manager, RandomInputs.gaussian(SEED + 1 + s, n), SHAPE));
            }
            keys = targets.transpose(0, 2, 3, 1).reshape((long) BATCH * GRID * GRID, DIM);
            queries = new NDArray[predictions.size()];
            for (int s = 0; s < queries.length; s++) {
                long rows = (long) BATCH * (GRID - options().offset(s)) * GRID;
                queries[s] = predictions
                        .get(s)
                        .get(":, :, :{}, :", GRID - options().offset(s))
                        .transpose(0, 2, 3, 1)
                        .reshape(rows, DIM);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            manager.close();
        }
    }

    /** Preallocated operands of each offset's three products (rows_k x B*H*W x D, ...). */
    public static class CpcGemm extends CpcShape {
        INDArray keys;
        INDArray[] queries;
        INDArray[] scores;
        INDArray[] dQueries;
        INDArray dKeys;

        @Setup(Level.Trial)
        public void setUp() {
            NativeThreads.requireNd4jMatchesTorch();
            int cells = BATCH * GRID * GRID;
            int steps = options().stepsToPredict();
            keys = RandomInputs.nd4j(RandomInputs.gaussian(SEED, (long) cells * DIM), cells, DIM);
            queries = new INDArray[steps];
            scores = new INDArray[steps];
            dQueries = new INDArray[steps];
            for (int s = 0; s < steps; s++) {
                int rows = BATCH * (GRID - options().offset(s)) * GRID;
                queries[s] = RandomInputs.nd4j(RandomInputs.gaussian(SEED + 1 + s, (long) rows * DIM), rows, DIM);
                scores[s] = Nd4j.create(DataType.FLOAT, rows, cells);
                dQueries[s] = Nd4j.create(DataType.FLOAT, rows, DIM);
            }
            dKeys = Nd4j.create(DataType.FLOAT, cells, DIM);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            keys.close();
            dKeys.close();
            for (int s = 0; s < queries.length; s++) {
                queries[s].close();
                scores[s].close();
                dQueries[s].close();
            }
        }
    }

    /**
     * Our fused CPC. Pitfall: at 1568 candidates per row one strip holds all columns, so this times
     * the single-pass path; larger grids or batches switch to the two-pass streamed path (see
     * TileBenchmark).
     */
    @Benchmark
    public void cpcFused(CpcNd4j s, Blackhole bh) {
        consume(bh, s.loss.compute(s.targets, s.predictions));
    }

    /**
     * Our fused CPC on the pure ND4J tile path. Pitfall: with tiles this small, per-op JNI overhead,
     * not arithmetic, separates it from the native path.
     */
    @Benchmark
    public void cpcFusedNd4j(CpcNd4jPath s, Blackhole bh) {
        cpcFused(s, bh);
    }

    /**
     * The rows x B*H*W scores held in full per offset. Pitfall: the NCHW to row-major (B*H*W, D)
     * permute-and-copy of every map is part of the loss, not setup, and is a large share at D = 64.
     */
    @Benchmark
    public void cpcMaterialized(CpcNd4j s, Blackhole bh) {
        consume(bh, MaterializedLosses.cpc(s.targets, s.predictions, s.options()));
    }

    /**
     * PyTorch with autograd (cross-entropy via log_softmax and gather). Pitfall: with only ~1 ms of
     * work per call, DJL's per-op JNI and handle bookkeeping (dozens of ops) is a visible fixed cost.
     */
    @Benchmark
    public void cpcTorch(CpcTorch s, Blackhole bh) {
        consume(bh, TorchLosses.cpc(s.targets, s.predictions, s.options()));
    }

    /**
     * PyTorch's BLAS on every offset's three products. Pitfall: the operands are row matrices
     * prepared at setup; the permute copies the loss needs are excluded, as in sgemm.
     */
    @Benchmark
    public void cpcTorchMatmul(CpcTorch s, Blackhole bh) {
        try (NDManager scope = s.manager.newSubManager()) {
            s.keys.tempAttach(scope);
            for (NDArray queries : s.queries) {
                queries.tempAttach(scope);
                NDArray scores = queries.matMul(s.keys.transpose());
                bh.consume(scores.matMul(s.keys));
                bh.consume(scores.transpose().matMul(queries));
            }
        }
    }

    /**
     * The BLAS floor: per offset scores = Q K^T, dQ = G K, dK = G^T Q. Pitfall: K = 64 is a short
     * inner dimension, so even the floor runs well below the machine's peak.
     */
    @Benchmark
    public void cpcSgemm(CpcGemm s, Blackhole bh) {
        for (int k = 0; k < s.queries.length; k++) {
            Nd4j.gemm(s.queries[k], s.keys, s.scores[k], false, true, 1.0, 0.0);
            Nd4j.gemm(s.scores[k], s.keys, s.dQueries[k], false, false, 1.0, 0.0);
            Nd4j.gemm(s.scores[k], s.queries[k], s.dKeys, true, false, 1.0, k == 0 ? 0.0 : 1.0);
        }
        bh.consume(s.scores);
        bh.consume(s.dQueries);
        bh.consume(s.dKeys);
    }

    // ---------------------------------------------------------------- shared

    /**
     * Consumes the loss and every gradient, so no result is dead code to the JIT, then closes the
     * result. Pitfall: results own native gradient arrays; a benchmark that does not close them
     * measures native memory growth and the collector's eventual cleanup instead of the loss.
     */
    static void consume(Blackhole bh, LossValues<?> result) {
        try (result) {
            bh.consume(result.loss());
            for (Object g : result.gradients().values()) {
                bh.consume(g);
            }
        }
    }
}

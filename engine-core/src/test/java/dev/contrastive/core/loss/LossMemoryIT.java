package dev.contrastive.core.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fused losses' scratch memory is bounded by the tile, not by B^2: the two sizes where a
 * materialised loss needs far more than the 1 GiB allowed here. Slow (tens of seconds of compute),
 * so it runs in {@code verify} (failsafe), with a pre-touched fixed heap so only native memory
 * grows.
 */
class LossMemoryIT {

    private static final long GIB = 1L << 30;

    /**
     * A loss called inside the caller's per-step workspace reuses native memory from step to step.
     * Each call makes about 10 MB of views, gradient accumulators and outputs; outside workspaces 25
     * calls would hold about 250 MB until a garbage collection.
     */
    @Test
    void stepsInTheCallersWorkspaceDoNotGrowNativeMemory() {
        INDArray a = Nd4j.randn(DataType.FLOAT, 2048, 128);
        INDArray b = Nd4j.randn(DataType.FLOAT, 2048, 128);
        InfoNceLoss loss = new InfoNceLoss(InfoNceOptions.defaults());
        long afterWarmUp = 0;
        for (int step = 0; step < 30; step++) {
            if (step == 5) {
                afterWarmUp = Pointer.physicalBytes();
            }
            try (MemoryWorkspace ws =
                    Nd4j.getWorkspaceManager().getAndActivateWorkspace(LossWorkspaceTest.STEP, "step")) {
                LossResult r = loss.compute(a, b);
                assertTrue(r.gradient("a").isAttached(), "gradient should live in the caller's workspace");
            }
        }
        long growth = Pointer.physicalBytes() - afterWarmUp;
        assertTrue(growth < 40L << 20, "resident set grew by " + (growth >> 20) + " MiB over 25 steps");
    }

    @Test
    void infoNceAtBatch32768RunsInUnderOneGibibyteExtra() throws Exception {
        int batch = 32768;
        int dim = 128;
        INDArray a = Nd4j.randn(DataType.FLOAT, batch, dim);
        INDArray b = Nd4j.randn(DataType.FLOAT, batch, dim);
        InfoNceLoss loss = new InfoNceLoss(InfoNceOptions.defaults());
        warmUp(() -> loss.compute(a.get(interval(64)), b.get(interval(64))).close());

        long extra;
        try (PeakResidentMemory memory = new PeakResidentMemory();
                LossResult result = loss.compute(a, b)) {
            extra = memory.extraBytes();
            assertTrue(Double.isFinite(result.loss()), "loss " + result.loss());
            assertArrayEquals(a.shape(), result.gradient("a").shape());
        }
        long materialised = 4L * (2L * batch) * (2L * batch);
        System.out.printf(
                "InfoNCE B=%d D=%d: %.1f MiB extra native memory (a materialised score matrix: %.1f GiB)%n",
                batch, dim, extra / 1048576.0, materialised / (double) GIB);
        assertTrue(extra < GIB, "InfoNCE used " + extra + " bytes extra, expected < 1 GiB");
    }

    /**
     * A data-parallel replica's call: 8,192 anchor images against a gathered batch of 65,536 images
     * (131,072 rows of z, wider than one strip of the default tiling, so the column tiles stream).
     * Inputs exist before the measurement; the two (B, D) gradients are outputs and are not counted
     * against the bound.
     */
    @Test
    void infoNceShardOf8192AnchorsAgainst65536ImagesRunsInUnderOneGibibyteExtra() throws Exception {
        int batch = 65536;
        int dim = 128;
        Shard shard = new Shard(batch / 2, 8192);
        INDArray a = Nd4j.randn(DataType.FLOAT, batch, dim);
        INDArray b = Nd4j.randn(DataType.FLOAT, batch, dim);
        InfoNceLoss loss = new InfoNceLoss(InfoNceOptions.defaults());
        warmUp(() -> loss.compute(a.get(interval(64)), b.get(interval(64)), new Shard(16, 16))
                .close());

        long extra;
        long started = System.nanoTime();
        try (PeakResidentMemory memory = new PeakResidentMemory();
                LossResult result = loss.compute(a, b, shard)) {
            extra = memory.extraBytes();
            assertTrue(Double.isFinite(result.loss()), "loss " + result.loss());
            assertArrayEquals(a.shape(), result.gradient("a").shape());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long outputs = 2L * 4 * batch * dim;
        long materialised = 4L * (2L * shard.count()) * (2L * batch);
        System.out.printf(
                "InfoNCE shard of %d anchors, B=%d (%d rows) D=%d: %.1f MiB extra native memory, %.1f MiB"
                        + " beyond the %.0f MiB of gradients, %.0f s (the shard's materialised scores: %.1f"
                        + " GiB)%n",
                shard.count(),
                batch,
                2 * batch,
                dim,
                extra / 1048576.0,
                (extra - outputs) / 1048576.0,
                outputs / 1048576.0,
                seconds,
                materialised / (double) GIB);
        assertTrue(
                extra - outputs < GIB,
                "the InfoNCE shard used "
                        + extra
                        + " bytes extra, "
                        + outputs
                        + " of them gradients;"
                        + " expected < 1 GiB beyond them");
    }

    @Test
    void amdimAtBatch1024With49LocationsRunsInUnderOneGibibyteExtra() throws Exception {
        int batch = 1024;
        int dim = 128;
        Map<String, INDArray> viewA = maps(batch, dim);
        Map<String, INDArray> viewB = maps(batch, dim);
        AmdimLoss loss = new AmdimLoss(AmdimOptions.defaults());
        warmUp(() -> loss.compute(slice(viewA, 8), slice(viewB, 8), SourceSampler.random(1))
                .close());

        long extra;
        try (PeakResidentMemory memory = new PeakResidentMemory();
                LossResult result = loss.compute(viewA, viewB, SourceSampler.random(1))) {
            extra = memory.extraBytes();
            assertTrue(Double.isFinite(result.loss()), "loss " + result.loss());
            assertArrayEquals(viewA.get("r7").shape(), result.gradient("a_r7").shape());
        }
        // Autograd on the reference formulation keeps raw, clipped and masked B x B x L tensors for
        // each of the six directed comparisons; three per comparison is a floor.
        long materialised = 4L * batch * batch * (2 * 25 + 49) * 2 * 3;
        System.out.printf(
                "AMDIM B=%d, 1/25/49 locations, D=%d: %.1f MiB extra native memory "
                        + "(materialised scores kept for autograd: at least %.1f GiB)%n",
                batch, dim, extra / 1048576.0, materialised / (double) GIB);
        assertTrue(extra < GIB, "AMDIM used " + extra + " bytes extra, expected < 1 GiB");
    }

    private static Map<String, INDArray> maps(int batch, int dim) {
        Map<String, INDArray> maps = new LinkedHashMap<>();
        maps.put("r1", Nd4j.randn(DataType.FLOAT, batch, dim, 1, 1));
        maps.put("r5", Nd4j.randn(DataType.FLOAT, batch, dim, 5, 5));
        maps.put("r7", Nd4j.randn(DataType.FLOAT, batch, dim, 7, 7));
        return maps;
    }

    private static Map<String, INDArray> slice(Map<String, INDArray> maps, int batch) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        maps.forEach((name, x) -> out.put(name, x.get(interval(batch)).dup()));
        return out;
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex interval(int n) {
        return org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n);
    }

    /** Loads the native kernel, JIT-compiles the loop and creates the workspaces before measuring. */
    private static void warmUp(Runnable call) {
        call.run();
    }
}

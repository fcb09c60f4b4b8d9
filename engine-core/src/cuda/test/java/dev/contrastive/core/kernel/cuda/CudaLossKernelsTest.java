package dev.contrastive.core.kernel.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.kernel.DeviceDispatch;
import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.CpcLoss;
import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.core.loss.InfoNceLoss;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.core.loss.SourceSampler;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * On a CUDA node: the losses take the CUDA kernels, and their loss, parts, diagnostics and
 * gradients equal the tiled ND4J path's (itself checked against the float64 references by
 * FusedLossEquivalenceTest) within the float32 contract. Skips where no GPU backend loads.
 */
class CudaLossKernelsTest {

    private static final double REL = 1e-4;

    @BeforeAll
    static void requireGpu() {
        CudaDevice.assumePresent();
    }

    @AfterEach
    void restoreDispatch() {
        DeviceDispatch.setEnabled(true);
    }

    @Test
    void floatArraysTakeTheKernels() {
        assertTrue(DeviceDispatch.isAvailable(), "DeviceDispatch did not pick up the CUDA kernels");
        assertTrue(
                new CudaLossKernels().accepts(Nd4j.rand(DataType.FLOAT, 2, 2)),
                "the fatbin did not load on this GPU; see the log");
    }

    @Test
    void infoNceMatchesTheNd4jPath() {
        INDArray a = Nd4j.randn(DataType.FLOAT, 70, 33);
        INDArray b = Nd4j.randn(DataType.FLOAT, 70, 33);
        InfoNceLoss loss = new InfoNceLoss(InfoNceOptions.defaults().withTemperature(0.2));
        compare(() -> loss.compute(a, b), List.of("a", "b"));
    }

    @Test
    void amdimMatchesTheNd4jPath() {
        int batch = 67;
        int dim = 40;
        Map<String, INDArray> viewA = maps(batch, dim);
        Map<String, INDArray> viewB = maps(batch, dim);
        AmdimLoss loss = new AmdimLoss(AmdimOptions.defaults());
        compare(
                () -> loss.compute(viewA, viewB, SourceSampler.random(7)),
                List.of("a_r1", "a_r5", "a_r7", "b_r1", "b_r5", "b_r7"));
    }

    @Test
    void cpcMatchesTheNd4jPath() {
        CpcLoss loss = new CpcLoss(CpcOptions.defaults());
        INDArray targets = cpcMap();
        List<INDArray> predictions = List.of(cpcMap(), cpcMap(), cpcMap());
        compare(() -> loss.compute(targets, predictions), List.of("targets", "pred_k2", "pred_k3", "pred_k4"));
    }

    @Test
    void shardsMatchTheNd4jPath() {
        INDArray a = Nd4j.randn(DataType.FLOAT, 70, 33);
        INDArray b = Nd4j.randn(DataType.FLOAT, 70, 33);
        InfoNceLoss infoNce = new InfoNceLoss(InfoNceOptions.defaults());
        compare(() -> infoNce.compute(a, b, new Shard(5, 60)), List.of("a", "b"));

        // Source rows from image 20 on: the kernels' positives must follow the offset.
        Map<String, INDArray> viewA = maps(67, 40);
        Map<String, INDArray> viewB = maps(67, 40);
        AmdimLoss amdim = new AmdimLoss(AmdimOptions.defaults());
        compare(
                () -> LossResult.combine(List.of(
                        amdim.compute(viewA, viewB, SourceSampler.random(7), new Shard(20, 47)),
                        amdim.compute(viewA, viewB, SourceSampler.random(7), new Shard(0, 20)))),
                List.of("a_r1", "a_r5", "a_r7", "b_r1", "b_r5", "b_r7"));

        CpcLoss cpc = new CpcLoss(CpcOptions.defaults());
        INDArray targets = cpcMap();
        List<INDArray> predictions = List.of(cpcMap(), cpcMap(), cpcMap());
        compare(
                () -> cpc.compute(targets, predictions, new Shard(3, 2)),
                List.of("targets", "pred_k2", "pred_k3", "pred_k4"));
    }

    /** A random map of CPC's default grid: targets or the predictions of one offset. */
    private static INDArray cpcMap() {
        return Nd4j.randn(DataType.FLOAT, 5, 16, 7, 7);
    }

    private static Map<String, INDArray> maps(int batch, int dim) {
        return Map.of(
                "r1", Nd4j.randn(DataType.FLOAT, batch, dim),
                "r5", Nd4j.randn(DataType.FLOAT, batch, dim, 5, 5),
                "r7", Nd4j.randn(DataType.FLOAT, batch, dim, 7, 7));
    }

    private static void compare(Supplier<LossResult> compute, List<String> gradients) {
        DeviceDispatch.setEnabled(true);
        LossResult gpu = compute.get();
        DeviceDispatch.setEnabled(false);
        LossResult nd4j = compute.get();
        assertClose("loss", nd4j.loss(), gpu.loss());
        nd4j.parts()
                .forEach((name, value) -> assertClose(name, value, gpu.parts().get(name)));
        assertClose(
                "meanPositive",
                nd4j.diagnostics().meanPositive(),
                gpu.diagnostics().meanPositive());
        assertEquals(nd4j.diagnostics().accuracy(), gpu.diagnostics().accuracy(), 0.02, "accuracy");
        for (String name : gradients) {
            INDArray expected = nd4j.gradient(name);
            INDArray actual = gpu.gradient(name);
            double scale = expected.amaxNumber().doubleValue();
            double error = expected.sub(actual).amaxNumber().doubleValue();
            assertTrue(
                    error <= REL * scale + 1e-7,
                    "gradient " + name + ": max |gpu - nd4j| = " + error + ", max |nd4j| = " + scale);
        }
    }

    private static void assertClose(String what, double expected, double actual) {
        assertEquals(expected, actual, REL * Math.max(1.0, Math.abs(expected)), what);
    }
}

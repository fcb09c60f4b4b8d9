package dev.contrastive.core.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.kernel.NativeTiles;
import dev.contrastive.core.kernel.Tiling;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Location-major (B, L, D) maps are the same features as NCHW maps, without the transposes. */
class FeatureLayoutTest {

    private static INDArray locationMajor(INDArray nchw) {
        return nchw.reshape(nchw.size(0), nchw.size(1), nchw.size(2) * nchw.size(3))
                .permute(0, 2, 1)
                .dup('c');
    }

    @ParameterizedTest(name = "native kernel {0}")
    @ValueSource(booleans = {true, false})
    void amdimGivesTheSameLossAndGradientsForBothLayouts(boolean nativeKernel) {
        boolean was = NativeTiles.isEnabled();
        NativeTiles.setEnabled(nativeKernel && NativeTiles.isLoaded());
        try {
            Nd4j.getRandom().setSeed(11);
            Map<String, INDArray> nchwA = new LinkedHashMap<>();
            Map<String, INDArray> nchwB = new LinkedHashMap<>();
            for (Map<String, INDArray> view : java.util.List.of(nchwA, nchwB)) {
                view.put("r1", Nd4j.randn(DataType.FLOAT, 6, 8));
                view.put("r5", Nd4j.randn(DataType.FLOAT, 6, 8, 3, 2));
                view.put("r7", Nd4j.randn(DataType.FLOAT, 6, 8, 2, 4));
            }
            Map<String, INDArray> rowsA = new LinkedHashMap<>();
            Map<String, INDArray> rowsB = new LinkedHashMap<>();
            nchwA.forEach((k, v) -> rowsA.put(k, v.rank() == 4 ? locationMajor(v) : v));
            nchwB.forEach((k, v) -> rowsB.put(k, v.rank() == 4 ? locationMajor(v) : v));

            AmdimLoss loss = new AmdimLoss(AmdimOptions.defaults().withTiling(new Tiling(4, 10)));
            try (LossResult nchw = loss.compute(nchwA, nchwB, SourceSampler.random(3));
                    LossResult rows = loss.compute(rowsA, rowsB, SourceSampler.random(3))) {
                assertEquals(nchw.loss(), rows.loss(), 1e-5 * Math.abs(nchw.loss()));
                assertEquals(nchw.diagnostics().accuracy(), rows.diagnostics().accuracy());
                for (String name : new String[] {"a_r5", "b_r5", "a_r7", "b_r7"}) {
                    INDArray expected = locationMajor(nchw.gradient(name));
                    INDArray actual = rows.gradient(name);
                    assertArrayEquals(rowsA.get(name.substring(2)).shape(), actual.shape(), name);
                    double scale = expected.amaxNumber().doubleValue();
                    double error = expected.sub(actual).amaxNumber().doubleValue();
                    assertTrue(error <= 1e-5 * scale, name + ": error " + error + " at scale " + scale);
                }
            }
        } finally {
            NativeTiles.setEnabled(was);
        }
    }

    @Test
    void yadimAcceptsLocationMajorMaps() {
        INDArray a = Nd4j.randn(DataType.FLOAT, 5, 4, 3);
        INDArray b = Nd4j.randn(DataType.FLOAT, 5, 4, 3);
        try (LossResult r = new YadimLoss(YadimOptions.defaults()).compute(a, b, SourceSampler.random(1))) {
            assertArrayEquals(a.shape(), r.gradient("a").shape());
            assertTrue(Double.isFinite(r.loss()));
        }
    }
}

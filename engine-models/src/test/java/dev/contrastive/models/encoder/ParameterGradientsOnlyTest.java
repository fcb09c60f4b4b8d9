package dev.contrastive.models.encoder;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.models.nn.GradCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * backwardToParameters, which skips the input gradient, adds the same parameter gradients as
 * backward.
 */
class ParameterGradientsOnlyTest {

    @Test
    void amdimParameterGradientsMatchFullBackward() {
        SplittableRandom rnd = new SplittableRandom(31);
        INDArray x = GradCheck.randomOf(DataType.FLOAT, rnd, 1, 6, 1, 32, 32);
        try (AmdimEncoder enc = AmdimEncoder.create(
                AmdimConfig.builder()
                        .encoderSize(32)
                        .inChannels(1)
                        .ndf(8)
                        .nRkhs(32)
                        .nDepth(1)
                        .useBn(true)
                        .build(),
                DataType.FLOAT,
                2)) {
            AmdimFeatures f = enc.forward(x, true);
            INDArray d1 = GradCheck.randomOf(DataType.FLOAT, rnd, 1, f.r1().shape());
            INDArray d5 = GradCheck.randomOf(DataType.FLOAT, rnd, 1, f.r5().shape());
            INDArray d7 = GradCheck.randomOf(DataType.FLOAT, rnd, 1, f.r7().shape());
            enc.parameters().zeroGrad();
            enc.backward(d1, d5, d7);
            INDArray full = enc.parameters().flatGrads().dup();
            enc.forward(x, true);
            enc.parameters().zeroGrad();
            enc.backwardToParameters(d1, d5, d7);
            assertSame(full, enc.parameters().flatGrads());
        }
    }

    @Test
    void cpcParameterGradientsMatchFullBackward() {
        SplittableRandom rnd = new SplittableRandom(32);
        INDArray x = GradCheck.randomOf(DataType.FLOAT, rnd, 1, 2, 1, 32, 32);
        try (CpcEncoder enc = CpcEncoder.create(
                CpcConfig.builder()
                        .imageSize(32)
                        .inChannels(1)
                        .patchSize(8)
                        .patchStride(4)
                        .width(2)
                        .blocksPerStage(1)
                        .contextChannels(4)
                        .targetDim(3)
                        .predictionSteps(3)
                        .build(),
                DataType.FLOAT,
                2)) {
            CpcFeatures f = enc.forward(x, true);
            INDArray dt = GradCheck.randomOf(DataType.FLOAT, rnd, 1, f.targets().shape());
            List<INDArray> dp = new ArrayList<>();
            for (INDArray p : f.predictions()) {
                dp.add(GradCheck.randomOf(DataType.FLOAT, rnd, 1, p.shape()));
            }
            enc.parameters().zeroGrad();
            enc.backward(dt, dp, null);
            INDArray full = enc.parameters().flatGrads().dup();
            enc.forward(x, true);
            enc.parameters().zeroGrad();
            enc.backwardToParameters(dt, dp, null);
            assertSame(full, enc.parameters().flatGrads());
        }
    }

    static void assertSame(INDArray full, INDArray onlyParameters) {
        double scale = Math.max(1.0, full.amaxNumber().doubleValue());
        double diff = full.sub(onlyParameters).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-5 * scale, "parameter gradients differ by " + diff + " (largest " + scale + ")");
    }
}

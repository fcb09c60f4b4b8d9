package dev.contrastive.models.encoder;

import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Parameters;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The float32 path (where libnd4j dispatches conv2d and pooling to oneDNN) against the float64 path
 * (libnd4j's generic kernels, verified by finite differences) with the same weights and input:
 * outputs and every gradient within 1e-4 relative per tensor ({@link RelativeError}).
 */
class AmdimFloat32Test {

    private static final double TOL = 1e-4;

    @ParameterizedTest
    @CsvSource({
        "32, 3, 4, 16, 2, true, 4",
        "32, 1, 4, 32, 1, false, 3",
        "64, 3, 2, 16, 1, false, 4",
        "128, 3, 2, 16, 1, true, 4"
    })
    void float32MatchesFloat64(int size, int ch, int ndf, int nRkhs, int depth, boolean bn, int batch) {
        AmdimConfig cfg = AmdimConfig.builder()
                .encoderSize(size)
                .inChannels(ch)
                .ndf(ndf)
                .nRkhs(nRkhs)
                .nDepth(depth)
                .useBn(bn)
                .build();
        SplittableRandom rnd = new SplittableRandom(200 + size);
        try (AmdimEncoder e64 = AmdimEncoder.create(cfg, DataType.DOUBLE, 8);
                AmdimEncoder e32 = AmdimEncoder.create(cfg, DataType.FLOAT, 8)) {
            AmdimEncoderTest.randomise(e64.parameters(), rnd);
            e32.parameters().flatValues().assign(e64.parameters().flatValues());
            INDArray x = GradCheck.random(rnd, 1, batch, ch, size, size);
            AmdimFeatures f64 = e64.forward(x, true);
            AmdimFeatures f32 = e32.forward(x.castTo(DataType.FLOAT), true);
            double worst = 0;
            worst = Math.max(worst, RelativeError.check("r1", f32.r1(), f64.r1(), 0, TOL));
            worst = Math.max(worst, RelativeError.check("r5", f32.r5(), f64.r5(), 0, TOL));
            worst = Math.max(worst, RelativeError.check("r7", f32.r7(), f64.r7(), 0, TOL));
            INDArray w1 = GradCheck.random(rnd, 1, f64.r1().shape());
            INDArray w5 = GradCheck.random(rnd, 1, f64.r5().shape());
            INDArray w7 = GradCheck.random(rnd, 1, f64.r7().shape());
            e64.parameters().zeroGrad();
            e32.parameters().zeroGrad();
            INDArray dx64 = e64.backward(w1, w5, w7);
            INDArray dx32 =
                    e32.backward(w1.castTo(DataType.FLOAT), w5.castTo(DataType.FLOAT), w7.castTo(DataType.FLOAT));
            worst = Math.max(worst, RelativeError.check("d input", dx32, dx64, 0, TOL));
            double largest = RelativeError.largest(e64.parameters().trainable().stream()
                    .map(Parameters.Tensor::grad)
                    .toList());
            for (Parameters.Tensor t : e64.parameters().trainable()) {
                worst = Math.max(
                        worst,
                        RelativeError.check(
                                "d " + t.name(), e32.parameters().get(t.name()).grad(), t.grad(), largest, TOL));
            }
            System.out.printf("amdim %d float32 vs float64: worst relative error %.2e%n", size, worst);
        }
    }
}

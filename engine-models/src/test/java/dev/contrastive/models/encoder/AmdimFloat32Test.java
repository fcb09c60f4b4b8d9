package dev.contrastive.models.encoder;

import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Parameters;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
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
    @MethodSource("dev.contrastive.models.encoder.EncoderFixtures#amdimComparisons")
    void float32MatchesFloat64(AmdimConfig cfg, int batch) {
        int size = cfg.encoderSize();
        int ch = cfg.inChannels();
        SplittableRandom rnd = new SplittableRandom(200 + size);
        try (AmdimEncoder e64 = AmdimEncoder.create(cfg, DataType.DOUBLE, 8);
                AmdimEncoder e32 = AmdimEncoder.create(cfg, DataType.FLOAT, 8)) {
            AmdimEncoderTest.randomise(e64.parameters(), rnd);
            e32.parameters().flatValues().assign(e64.parameters().flatValues());
            INDArray x = GradCheck.random(rnd, 1, batch, ch, size, size);
            AmdimFeatures f64 = e64.forward(x, true);
            AmdimFeatures f32 = e32.forward(x.castTo(DataType.FLOAT), true);
            double worst = RelativeError.checkOutputs(f32.asMap(), f64.asMap(), TOL);
            AmdimFeatures w = EncoderFixtures.outputGradients(DataType.DOUBLE, rnd, f64);
            e64.parameters().zeroGrad();
            e32.parameters().zeroGrad();
            INDArray dx64 = e64.backward(w.r1(), w.r5(), w.r7());
            INDArray dx32 = e32.backward(
                    w.r1().castTo(DataType.FLOAT), w.r5().castTo(DataType.FLOAT), w.r7().castTo(DataType.FLOAT));
            worst = Math.max(worst, RelativeError.check("d input", dx32, dx64, 0, TOL));
            Parameters p64 = e64.parameters();
            Parameters p32 = e32.parameters();
            worst = Math.max(
                    worst,
                    RelativeError.checkGradients(
                            p64, n -> p32.get(n).grad(), n -> p64.get(n).grad(), TOL));
            System.out.printf("amdim %d float32 vs float64: worst relative error %.2e%n", size, worst);
        }
    }
}

package dev.contrastive.models.encoder;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Parameters;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * AmdimEncoder's forward outputs and every gradient (parameters and input) against the SameDiff
 * implementation of the same network with the same weights, in float32, relative error 1e-4 per
 * tensor ({@link RelativeError}).
 */
class AmdimSecondImplementationTest {

    private static final double TOL = 1e-4;

    @ParameterizedTest
    @MethodSource("dev.contrastive.models.encoder.EncoderFixtures#amdimComparisons")
    void matchesSameDiff(AmdimConfig cfg, int batch) {
        int size = cfg.encoderSize();
        int ch = cfg.inChannels();
        SplittableRandom rnd = new SplittableRandom(100 + size);
        try (AmdimEncoder enc = AmdimEncoder.create(cfg, DataType.FLOAT, 8)) {
            Parameters p = enc.parameters();
            AmdimEncoderTest.randomise(p, rnd);
            INDArray x = GradCheck.randomOf(DataType.FLOAT, rnd, 1, batch, ch, size, size);
            AmdimFeatures f = enc.forward(x, true);
            AmdimFeatures w = EncoderFixtures.outputGradients(DataType.FLOAT, rnd, f);
            p.zeroGrad();
            INDArray dx = enc.backward(w.r1(), w.r5(), w.r7());

            AmdimSameDiffReference ref = new AmdimSameDiffReference(cfg, p, x);
            double worst = RelativeError.checkOutputs(f.asMap(), ref.outputs(), TOL);
            Map<String, INDArray> grads = ref.gradients(w.r1(), w.r5(), w.r7());
            worst = Math.max(worst, RelativeError.check("d input", dx, grads.get("x"), 0, TOL));
            assertTrue(ref.varOf.size() == p.trainable().size(), "the reference uses every parameter");
            worst = Math.max(
                    worst, RelativeError.checkGradients(p, n -> p.get(n).grad(), ref.gradientOf(grads), TOL));
            System.out.printf(
                    "amdim %d vs SameDiff: worst relative error %.2e over %d tensors%n",
                    size, worst, p.trainable().size() + 4);
        }
    }
}

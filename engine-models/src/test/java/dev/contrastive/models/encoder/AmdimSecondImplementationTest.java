package dev.contrastive.models.encoder;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Parameters;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
    @CsvSource({
        "32, 3, 4, 16, 2, true, 4",
        "32, 1, 4, 32, 1, false, 3",
        "64, 3, 2, 16, 1, false, 4",
        "128, 3, 2, 16, 1, true, 4"
    })
    void matchesSameDiff(int size, int ch, int ndf, int nRkhs, int depth, boolean bn, int batch) {
        AmdimConfig cfg = AmdimConfig.builder()
                .encoderSize(size)
                .inChannels(ch)
                .ndf(ndf)
                .nRkhs(nRkhs)
                .nDepth(depth)
                .useBn(bn)
                .build();
        SplittableRandom rnd = new SplittableRandom(100 + size);
        try (AmdimEncoder enc = AmdimEncoder.create(cfg, DataType.FLOAT, 8)) {
            Parameters p = enc.parameters();
            AmdimEncoderTest.randomise(p, rnd);
            INDArray x = GradCheck.randomOf(DataType.FLOAT, rnd, 1, batch, ch, size, size);
            AmdimFeatures f = enc.forward(x, true);
            INDArray w1 = GradCheck.randomOf(DataType.FLOAT, rnd, 1, f.r1().shape());
            INDArray w5 = GradCheck.randomOf(DataType.FLOAT, rnd, 1, f.r5().shape());
            INDArray w7 = GradCheck.randomOf(DataType.FLOAT, rnd, 1, f.r7().shape());
            p.zeroGrad();
            INDArray dx = enc.backward(w1, w5, w7);

            AmdimSameDiffReference ref = new AmdimSameDiffReference(cfg, p, x);
            Map<String, INDArray> out = ref.outputs();
            double worst = 0;
            worst = Math.max(worst, RelativeError.check("r1", f.r1(), out.get("r1"), 0, TOL));
            worst = Math.max(worst, RelativeError.check("r5", f.r5(), out.get("r5"), 0, TOL));
            worst = Math.max(worst, RelativeError.check("r7", f.r7(), out.get("r7"), 0, TOL));
            Map<String, INDArray> grads = ref.gradients(w1, w5, w7);
            worst = Math.max(worst, RelativeError.check("d input", dx, grads.get("x"), 0, TOL));
            assertTrue(ref.varOf.size() == p.trainable().size(), "the reference uses every parameter");
            double largest = RelativeError.largest(
                    p.trainable().stream().map(Parameters.Tensor::grad).toList());
            for (Parameters.Tensor t : p.trainable()) {
                worst = Math.max(
                        worst,
                        RelativeError.check(
                                "d " + t.name(), t.grad(), grads.get(ref.varOf.get(t.name())), largest, TOL));
            }
            System.out.printf(
                    "amdim %d vs SameDiff: worst relative error %.2e over %d tensors%n",
                    size, worst, p.trainable().size() + 4);
        }
    }
}

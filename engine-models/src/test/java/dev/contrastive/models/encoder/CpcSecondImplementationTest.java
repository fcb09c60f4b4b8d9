package dev.contrastive.models.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Parameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * CpcEncoder's outputs and every gradient against the SameDiff implementation with the same
 * weights, float32, 1e-4 relative per tensor ({@link RelativeError}).
 */
class CpcSecondImplementationTest {

    private static final double TOL = 1e-4;

    @Test
    void matchesSameDiff() {
        CpcConfig cfg = CpcConfig.builder()
                .imageSize(32)
                .inChannels(3)
                .patchSize(8)
                .patchStride(4)
                .width(2)
                .blocksPerStage(2)
                .contextChannels(4)
                .targetDim(3)
                .predictionSteps(3)
                .build();
        SplittableRandom rnd = new SplittableRandom(31);
        try (CpcEncoder enc = CpcEncoder.create(cfg, DataType.FLOAT, 2)) {
            Parameters p = enc.parameters();
            AmdimEncoderTest.randomise(p, rnd);
            INDArray x = GradCheck.randomOf(DataType.FLOAT, rnd, 1, 2, 3, 32, 32);
            CpcFeatures f = enc.forward(x, true);
            INDArray wz = GradCheck.randomOf(DataType.FLOAT, rnd, 1, f.latents().shape());
            INDArray wt = GradCheck.randomOf(DataType.FLOAT, rnd, 1, f.targets().shape());
            List<INDArray> wp = new ArrayList<>();
            for (INDArray pr : f.predictions()) {
                wp.add(GradCheck.randomOf(DataType.FLOAT, rnd, 1, pr.shape()));
            }
            p.zeroGrad();
            INDArray dx = enc.backward(wt, wp, wz);

            CpcSameDiffReference ref = new CpcSameDiffReference(cfg, p, x);
            Map<String, INDArray> out = ref.outputs();
            double worst = RelativeError.check("latents", f.latents(), out.get("latents"), 0, TOL);
            worst = Math.max(worst, RelativeError.check("targets", f.targets(), out.get("targets"), 0, TOL));
            for (int s = 0; s < wp.size(); s++) {
                worst = Math.max(
                        worst, RelativeError.check("pred" + s, f.predictions().get(s), out.get("pred" + s), 0, TOL));
            }
            Map<String, INDArray> grads = ref.gradients(wz, wt, wp);
            worst = Math.max(worst, RelativeError.check("d input", dx, grads.get("x"), 0, TOL));
            assertEquals(p.trainable().size(), ref.varOf.size(), "the reference uses every parameter");
            double largest = RelativeError.largest(
                    p.trainable().stream().map(Parameters.Tensor::grad).toList());
            for (Parameters.Tensor t : p.trainable()) {
                worst = Math.max(
                        worst,
                        RelativeError.check(
                                "d " + t.name(), t.grad(), grads.get(ref.varOf.get(t.name())), largest, TOL));
            }
            System.out.printf(
                    "cpc vs SameDiff: worst relative error %.2e over %d tensors%n",
                    worst, p.trainable().size() + 6);
        }
    }
}

package dev.contrastive.models.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Parameters;
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
        CpcConfig cfg = EncoderFixtures.tinyCpc(3).blocksPerStage(2).build();
        SplittableRandom rnd = new SplittableRandom(31);
        try (CpcEncoder enc = CpcEncoder.create(cfg, DataType.FLOAT, 2)) {
            Parameters p = enc.parameters();
            AmdimEncoderTest.randomise(p, rnd);
            INDArray x = GradCheck.randomOf(DataType.FLOAT, rnd, 1, 2, 3, 32, 32);
            CpcFeatures f = enc.forward(x, true);
            INDArray wz = GradCheck.randomOf(DataType.FLOAT, rnd, 1, f.latents().shape());
            INDArray wt = GradCheck.randomOf(DataType.FLOAT, rnd, 1, f.targets().shape());
            List<INDArray> wp = GradCheck.randomLike(DataType.FLOAT, rnd, f.predictions());
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
            worst = Math.max(
                    worst, RelativeError.checkGradients(p, n -> p.get(n).grad(), ref.gradientOf(grads), TOL));
            System.out.printf(
                    "cpc vs SameDiff: worst relative error %.2e over %d tensors%n",
                    worst, p.trainable().size() + 6);
        }
    }
}

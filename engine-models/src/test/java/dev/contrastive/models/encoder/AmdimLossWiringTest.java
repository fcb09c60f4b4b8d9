package dev.contrastive.models.encoder;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Parameters;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The encoder and the fused AMDIM loss wired as the trainer will: two views through the encoder and
 * its replica, AmdimLoss on r1/r5/r7, its a_* and b_* gradients back through each view. A step of
 * size lr along minus the accumulated gradient must lower the loss by about lr * |g|^2, the
 * first-order prediction, which holds only if the whole chain's gradient is right.
 */
class AmdimLossWiringTest {

    @Test
    void gradientStepLowersTheLossAsPredicted() {
        AmdimConfig cfg = EncoderFixtures.amdim(32, 1, 4, 16, 1, true);
        SplittableRandom rnd = new SplittableRandom(12);
        AmdimLoss loss = new AmdimLoss(AmdimOptions.defaults());
        SourceSampler sampler = SourceSampler.random(3);
        try (AmdimEncoder a = AmdimEncoder.create(cfg, DataType.FLOAT, 21);
                AmdimEncoder b = a.replica()) {
            Parameters p = a.parameters();
            AmdimEncoderTest.randomise(p, rnd);
            INDArray x1 = GradCheck.randomOf(DataType.FLOAT, rnd, 1, 8, 1, 32, 32);
            INDArray x2 = x1.add(GradCheck.randomOf(DataType.FLOAT, rnd, 0.3, 8, 1, 32, 32));
            double l0;
            p.zeroGrad();
            try (LossResult r = loss.compute(
                    a.forward(x1, true).asMap(), b.forward(x2, true).asMap(), sampler)) {
                l0 = r.loss();
                a.backward(r.gradient("a_r1"), r.gradient("a_r5"), r.gradient("a_r7"));
                b.backward(r.gradient("b_r1"), r.gradient("b_r5"), r.gradient("b_r7"));
            }
            INDArray g = p.flatGrads().dup();
            double g2 = g.mul(g).sumNumber().doubleValue();
            double lr = 0.01 * Math.abs(l0) / g2;
            p.flatValues().subi(g.mul(lr));
            double l1;
            try (LossResult r = loss.compute(
                    a.forward(x1, true).asMap(), b.forward(x2, true).asMap(), sampler)) {
                l1 = r.loss();
            }
            double predicted = lr * g2;
            double actual = l0 - l1;
            System.out.printf(
                    "amdim loss %.6f -> %.6f, decrease %.3e, first-order prediction %.3e%n", l0, l1, actual, predicted);
            assertTrue(
                    actual > 0.5 * predicted && actual < 1.5 * predicted,
                    "decrease " + actual + " vs predicted " + predicted);
        }
    }
}

package dev.contrastive.models.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Parameters;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Shapes, masking, determinism and float64 finite-difference gradients of CpcEncoder. */
class CpcEncoderTest {

    /** 32x32, 8-pixel patches, stride 4: a 7x7 grid; tiny widths. */
    static final CpcConfig TINY = EncoderFixtures.tinyCpc(3).build();

    @Test
    void shapesOfTheSmallConfiguration() {
        CpcConfig cfg = CpcConfig.small(1);
        try (CpcEncoder enc = CpcEncoder.create(cfg, DataType.FLOAT, 1)) {
            CpcFeatures f =
                    enc.forward(GradCheck.randomOf(DataType.FLOAT, new SplittableRandom(1), 1, 2, 1, 32, 32), true);
            assertArrayEquals(new long[] {2, 64, 7, 7}, f.latents().shape());
            assertArrayEquals(new long[] {2, 64, 7, 7}, f.targets().shape());
            assertEquals(3, f.predictions().size());
            assertArrayEquals(new long[] {2, 64, 7, 7}, f.predictions().get(2).shape());
        }
    }

    /** Changing image rows below a grid row changes no prediction made at or above that row. */
    @Test
    void contextSeesOnlyItsRowAndTheRowsAbove() {
        try (CpcEncoder enc = CpcEncoder.create(TINY, DataType.DOUBLE, 3)) {
            SplittableRandom rnd = new SplittableRandom(5);
            INDArray x = GradCheck.random(rnd, 1, 1, 3, 32, 32);
            INDArray before = enc.forward(x, true).predictions().get(0).dup();
            // Grid row 3 covers pixel rows 12..19; rows 20.. feed only grid rows 4..6.
            x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(20, 32), NDArrayIndex.all())
                    .assign(GradCheck.random(rnd, 1, 1, 3, 12, 32));
            INDArray after = enc.forward(x, true).predictions().get(0);
            org.nd4j.linalg.indexing.INDArrayIndex rows = NDArrayIndex.interval(0, 4);
            assertEquals(
                    0,
                    after.get(NDArrayIndex.all(), NDArrayIndex.all(), rows, NDArrayIndex.all())
                            .sub(before.get(NDArrayIndex.all(), NDArrayIndex.all(), rows, NDArrayIndex.all()))
                            .amaxNumber()
                            .doubleValue());
            assertTrue(after.sub(before).amaxNumber().doubleValue() > 1e-6, "lower rows do change");
        }
    }

    @Test
    void sameSeedSameWeights() {
        try (CpcEncoder a = CpcEncoder.create(TINY, DataType.FLOAT, 4);
                CpcEncoder b = CpcEncoder.create(TINY, DataType.FLOAT, 4)) {
            assertEquals(a.parameters().flatValues(), b.parameters().flatValues());
        }
    }

    @Test
    void configValidationNamesTheField() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> EncoderFixtures.tinyCpc(3).imageSize(30).build());
        assertTrue(e.getMessage().startsWith("cpc.imageSize"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> EncoderFixtures.tinyCpc(3).predictionSteps(7).build());
        assertTrue(e.getMessage().contains("cpc.predictionSteps must be in [1, 6]"), e.getMessage());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(77);
        try (CpcEncoder enc = CpcEncoder.create(TINY, DataType.DOUBLE, 6)) {
            Parameters p = enc.parameters();
            AmdimEncoderTest.randomise(p, rnd);
            for (Parameters.Tensor t : p.trainable()) {
                if (t.name().contains(".ln") && t.name().endsWith(".weight")) {
                    t.value().addi(1.0);
                }
            }
            INDArray x = GradCheck.random(rnd, 1, 2, 3, 32, 32);
            CpcFeatures f = enc.forward(x, true);
            INDArray wt = GradCheck.random(rnd, 1, f.targets().shape());
            INDArray wz = GradCheck.random(rnd, 1, f.latents().shape());
            List<INDArray> wp = GradCheck.randomLike(DataType.DOUBLE, rnd, f.predictions());
            p.zeroGrad();
            INDArray dx = enc.backward(wt, wp, wz).dup();
            Supplier<Double> loss = () -> {
                CpcFeatures g = enc.forward(x, true);
                double l = g.targets().mul(wt).sumNumber().doubleValue()
                        + g.latents().mul(wz).sumNumber().doubleValue();
                for (int s = 0; s < wp.size(); s++) {
                    l += g.predictions().get(s).mul(wp.get(s)).sumNumber().doubleValue();
                }
                return l;
            };
            double worst = EncoderFixtures.checkGradients(p, x, dx, loss, 8, 3, rnd);
            System.out.printf(
                    "cpc: %d tensors, worst FD error %.2e%n", p.trainable().size(), worst);
        }
    }
}

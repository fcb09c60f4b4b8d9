package dev.contrastive.models.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Parameters;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Shapes, initialisation, determinism and float64 finite-difference gradients of AmdimEncoder. */
class AmdimEncoderTest {

    @ParameterizedTest
    @CsvSource({"32, 3", "32, 1", "64, 3", "128, 3", "128, 1"})
    void outputShapes(int size, int channels) {
        AmdimConfig cfg = EncoderFixtures.amdim(size, channels, 2, 24, 2, true);
        try (AmdimEncoder enc = AmdimEncoder.create(cfg, DataType.FLOAT, 1)) {
            AmdimFeatures f = enc.forward(
                    GradCheck.randomOf(DataType.FLOAT, new SplittableRandom(2), 1, 3, channels, size, size), true);
            assertArrayEquals(new long[] {3, 24, 1, 1}, f.r1().shape());
            assertArrayEquals(new long[] {3, 24, 5, 5}, f.r5().shape());
            assertArrayEquals(new long[] {3, 24, 7, 7}, f.r7().shape());
            assertEquals(
                    java.util.List.of("r1", "r5", "r7"),
                    java.util.List.copyOf(f.asMap().keySet()));
        }
    }

    @Test
    void torchStateDictNamesAndAmdimInit() {
        try (AmdimEncoder enc = AmdimEncoder.create(EncoderFixtures.amdim(32, 3, 4, 32, 2, false), DataType.FLOAT, 3)) {
            Parameters p = enc.parameters();
            // Fixup-style zero init of every residual branch's last conv.
            assertEquals(
                    0, p.get("layer_list.1.conv2.weight").value().amaxNumber().doubleValue());
            assertEquals(
                    0,
                    p.get("layer_list.2.layer_list.1.conv2.weight")
                            .value()
                            .amaxNumber()
                            .doubleValue());
            assertEquals(
                    0, p.get("rkhs_block_5.conv2.weight").value().amaxNumber().doubleValue());
            // Identity-like shortcut: ones on the diagonal, |w| <= 0.01 elsewhere (16 -> 32 channels).
            INDArray sc = p.get("rkhs_block_7.shortcut.weight").value().reshape(32, 16);
            for (int o = 0; o < 32; o++) {
                for (int i = 0; i < 16; i++) {
                    double w = sc.getDouble(o, i);
                    assertTrue(o == i ? w == 1.0 : Math.abs(w) <= 0.01, "shortcut[" + o + "," + i + "] = " + w);
                }
            }
            // kaiming_uniform(a = sqrt 5): |w| <= 1 / sqrt(fan_in), fan_in = 3 * 3 * 3.
            double bound =
                    p.get("layer_list.0.conv.weight").value().amaxNumber().doubleValue();
            assertTrue(bound <= 1 / Math.sqrt(27) && bound > 0.8 / Math.sqrt(27), "conv bound " + bound);
            assertEquals(
                    1.0, p.get("layer_list.8.bn.weight").value().minNumber().doubleValue());
            assertEquals(
                    1.0,
                    p.get("rkhs_block_5.bn_out.bn.running_var")
                            .value()
                            .minNumber()
                            .doubleValue());
            assertThrows(IllegalArgumentException.class, () -> p.get("layer_list.4.bn.weight"), "use_bn off");
        }
    }

    @Test
    void sameSeedSameWeightsAndOutputs() {
        AmdimConfig cfg = EncoderFixtures.amdim(32, 3, 4, 16, 1, true);
        INDArray x = GradCheck.randomOf(DataType.FLOAT, new SplittableRandom(9), 1, 2, 3, 32, 32);
        try (AmdimEncoder a = AmdimEncoder.create(cfg, DataType.FLOAT, 11);
                AmdimEncoder b = AmdimEncoder.create(cfg, DataType.FLOAT, 11);
                AmdimEncoder c = AmdimEncoder.create(cfg, DataType.FLOAT, 12)) {
            assertEquals(a.parameters().flatValues(), b.parameters().flatValues());
            assertNotEquals(a.parameters().flatValues(), c.parameters().flatValues());
            assertEquals(a.forward(x, true).r7(), b.forward(x, true).r7());
        }
    }

    @Test
    void configValidationNamesTheField() {
        assertRejected("amdim.nRkhs must be in [32, 65536]", () -> EncoderFixtures.amdim(32, 3, 8, 16, 1, false));
        assertRejected("amdim.encoderSize", () -> EncoderFixtures.amdim(48, 3, 8, 64, 1, false));
        assertRejected("amdim.inChannels", () -> EncoderFixtures.amdim(32, 2, 8, 64, 1, false));
        assertRejected("amdim.nDepth", () -> EncoderFixtures.amdim(32, 3, 8, 64, 0, false));
        try (AmdimEncoder enc = AmdimEncoder.create(EncoderFixtures.amdim(32, 3, 2, 8, 1, false), DataType.FLOAT, 1)) {
            assertRejected(
                    "(B, 3, 32, 32)",
                    () -> enc.forward(
                            GradCheck.randomOf(DataType.FLOAT, new SplittableRandom(1), 1, 2, 3, 28, 28), true));
        }
    }

    private static void assertRejected(String part, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    /**
     * Every parameter tensor and the input, float64, central differences, with all parameters
     * re-drawn at random first: with amdim's zero init the residual branches' first convs would get
     * zero gradient and the check would prove nothing about them.
     */
    @ParameterizedTest
    @CsvSource({"32, 3, 4, 16, 2, true, 4", "32, 1, 4, 16, 1, false, 3", "128, 3, 2, 16, 1, true, 2"})
    void gradientsMatchFiniteDifferences(int size, int ch, int ndf, int nRkhs, int depth, boolean bn, int batch) {
        SplittableRandom rnd = new SplittableRandom(size * 31L + ndf);
        try (AmdimEncoder enc =
                AmdimEncoder.create(EncoderFixtures.amdim(size, ch, ndf, nRkhs, depth, bn), DataType.DOUBLE, 5)) {
            Parameters p = enc.parameters();
            randomise(p, rnd);
            INDArray x = GradCheck.random(rnd, 1.0, batch, ch, size, size);
            AmdimFeatures f = enc.forward(x, true);
            AmdimFeatures w = EncoderFixtures.outputGradients(DataType.DOUBLE, rnd, f);
            p.zeroGrad();
            INDArray dx = enc.backward(w.r1(), w.r5(), w.r7()).dup();
            Supplier<Double> loss = () -> {
                AmdimFeatures g = enc.forward(x, true);
                return g.r1().mul(w.r1()).sumNumber().doubleValue()
                        + g.r5().mul(w.r5()).sumNumber().doubleValue()
                        + g.r7().mul(w.r7()).sumNumber().doubleValue();
            };
            // Two random entries per tensor (62 tensors in the first case) keeps the test within seconds.
            double worst = EncoderFixtures.checkGradients(p, x, dx, loss, 6, 2, rnd);
            System.out.printf(
                    "amdim %d ndf %d depth %d bn %b: %d tensors, worst FD error %.2e%n",
                    size, ndf, depth, bn, p.trainable().size(), worst);
        }
    }

    @Test
    void replicaSharesWeightsAndAccumulatesGradients() {
        AmdimConfig cfg = EncoderFixtures.amdim(32, 3, 2, 8, 1, true);
        SplittableRandom rnd = new SplittableRandom(4);
        try (AmdimEncoder enc = AmdimEncoder.create(cfg, DataType.DOUBLE, 2);
                AmdimEncoder rep = enc.replica()) {
            Parameters p = enc.parameters();
            randomise(p, rnd);
            INDArray x1 = GradCheck.random(rnd, 1, 2, 3, 32, 32);
            INDArray x2 = GradCheck.random(rnd, 1, 2, 3, 32, 32);
            AmdimFeatures f1 = enc.forward(x1, true);
            INDArray w = GradCheck.random(rnd, 1, f1.r5().shape());
            p.zeroGrad();
            enc.backward(null, w, null);
            INDArray g1 = p.flatGrads().dup();
            p.zeroGrad();
            rep.forward(x2, true);
            rep.backward(null, w, null);
            INDArray g2 = p.flatGrads().dup();
            // Interleaved: both forwards first, then both backwards into one accumulator.
            p.zeroGrad();
            enc.forward(x1, true);
            rep.forward(x2, true);
            enc.backward(null, w, null);
            rep.backward(null, w, null);
            assertEquals(0, p.flatGrads().sub(g1.add(g2)).amaxNumber().doubleValue(), 1e-12);
            assertTrue(g1.sub(g2).amaxNumber().doubleValue() > 1e-6, "different views give different gradients");
        }
    }

    /** All trainable tensors uniform in [-0.5, 0.5], batch-norm weights in [0.5, 1.5]. */
    static void randomise(Parameters p, SplittableRandom rnd) {
        for (Parameters.Tensor t : p.trainable()) {
            INDArray r = GradCheck.randomOf(p.dataType(), rnd, 0.5, t.shape());
            if (t.name().contains(".bn") && t.name().endsWith(".weight")) {
                r.addi(1.0);
            }
            t.value().assign(r);
        }
    }
}

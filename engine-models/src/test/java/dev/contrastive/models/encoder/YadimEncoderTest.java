package dev.contrastive.models.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Parameters;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * YadimEncoder routes one AMDIM tap: its shape, finite-difference gradients in float64 (the
 * AMDIM encoder underneath is also checked against SameDiff), and zero gradient for the parts of
 * the network that only feed the unused taps.
 */
class YadimEncoderTest {

  @ParameterizedTest
  @EnumSource(YadimEncoder.Tap.class)
  void gradientsOfTheLastMapMatchFiniteDifferences(YadimEncoder.Tap tap) {
    SplittableRandom rnd = new SplittableRandom(tap.ordinal() + 40);
    try (YadimEncoder enc = YadimEncoder.create(new AmdimConfig(32, 3, 4, 16, 1, true), tap, DataType.DOUBLE, 3)) {
      Parameters p = enc.parameters();
      AmdimEncoderTest.randomise(p, rnd);
      INDArray x = GradCheck.random(rnd, 1, 4, 3, 32, 32);
      INDArray last = enc.forward(x, true);
      int side = switch (tap) {
        case R1 -> 1;
        case R5 -> 5;
        case R7 -> 7;
      };
      assertArrayEquals(new long[] {4, 16, side, side}, last.shape());
      INDArray w = GradCheck.random(rnd, 1, last.shape());
      p.zeroGrad();
      INDArray dx = enc.backward(w).dup();
      Supplier<Double> loss = () -> enc.forward(x, true).mul(w).sumNumber().doubleValue();
      double worst = GradCheck.maxError(x, dx, loss, 6, rnd, 1e-6);
      for (Parameters.Tensor t : p.trainable()) {
        worst = Math.max(worst, GradCheck.maxError(t.value(), t.grad(), loss, 2, rnd, 1e-6));
      }
      assertTrue(worst < 1e-6, "worst FD error " + worst);
      if (tap != YadimEncoder.Tap.R5) {
        assertEquals(0, p.get("rkhs_block_5.conv1.weight").grad().amaxNumber().doubleValue(), "unused tap");
      }
    }
  }
}

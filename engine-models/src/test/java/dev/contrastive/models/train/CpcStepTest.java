package dev.contrastive.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.models.encoder.CpcConfig;
import dev.contrastive.models.encoder.CpcEncoder;
import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Parameters;
import dev.contrastive.models.train.optim.Adam;
import dev.contrastive.models.train.optim.AdamOptions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/** CpcStep's gradients against finite differences of its own loss, and a loss that falls under Adam. */
class CpcStepTest {

  /** 32x32, 8-pixel patches, stride 4 (7x7 grid); tiny widths, three prediction heads. */
  private static final CpcConfig TINY = new CpcConfig(32, 1, 8, 4, 2, 1, 4, 3, 3);

  /** The step's gradient along a random direction equals the central difference of its loss. */
  @Test
  void gradientMatchesFiniteDifferenceOfTheLoss() {
    SplittableRandom rnd = new SplittableRandom(11);
    INDArray images = GradCheck.random(rnd, 1, 3, 1, 32, 32);
    try (CpcEncoder enc = CpcEncoder.create(TINY, DataType.DOUBLE, 5)) {
      CpcStep step = new CpcStep(enc, CpcOptions.defaults());
      Parameters p = enc.parameters();
      INDArray theta = p.flatValues().dup();
      INDArray direction = GradCheck.random(rnd, 1, theta.length());
      direction.divi(direction.norm2Number());
      step.trainingStep(0, images);
      double analytic = p.flatGrads().mul(direction).sumNumber().doubleValue();
      double h = 1e-5;
      p.flatValues().assign(theta.add(direction.mul(h)));
      double up = step.trainingStep(0, images).loss();
      p.flatValues().assign(theta.sub(direction.mul(h)));
      double down = step.trainingStep(0, images).loss();
      double numeric = (up - down) / (2 * h);
      assertTrue(Math.abs(analytic) > 1e-6, "a non-trivial directional derivative: " + analytic);
      assertEquals(numeric, analytic, 1e-5 * Math.max(1, Math.abs(numeric)),
          "directional derivative, numeric " + numeric + " vs analytic " + analytic);
    }
  }

  /** A fixed batch is memorised: 30 Adam steps take the loss from chance (3 ln 196 = 15.8) well down. */
  @Test
  void lossFallsUnderAdamOnAFixedBatch() {
    INDArray images = GradCheck.randomOf(DataType.FLOAT, new SplittableRandom(3), 1, 4, 1, 32, 32);
    try (CpcEncoder enc = CpcEncoder.create(TINY, DataType.FLOAT, 7)) {
      CpcStep step = new CpcStep(enc, CpcOptions.defaults());
      Adam adam = new Adam(new AdamOptions(1e-2, 0.9, 0.999, 1e-8, 0, false, 0), enc.parameters());
      double first = Double.NaN;
      double last = Double.NaN;
      for (int i = 0; i < 30; i++) {
        try (MemoryWorkspace ws = CpcStep.openWorkspace()) {
          CpcStep.Outcome o = step.trainingStep(i, images);
          adam.step(enc.parameters(), 1e-2);
          if (i == 0) {
            first = o.loss();
          }
          last = o.loss();
        }
      }
      assertTrue(last < 0.9 * first, "loss " + first + " -> " + last);
    }
  }

  @Test
  void headCountMustMatchTheLoss() {
    try (CpcEncoder enc = CpcEncoder.create(TINY, DataType.FLOAT, 1)) {
      IllegalArgumentException e = assertThrows(
          IllegalArgumentException.class, () -> new CpcStep(enc, CpcOptions.defaults().withSteps(2, 2)));
      assertTrue(e.getMessage().contains("3 prediction heads"), e.getMessage());
    }
  }
}

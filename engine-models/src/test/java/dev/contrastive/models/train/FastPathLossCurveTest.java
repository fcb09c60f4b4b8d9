package dev.contrastive.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.encoder.CpcConfig;
import dev.contrastive.models.encoder.CpcEncoder;
import dev.contrastive.models.nn.FastPaths;
import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.train.optim.Adam;
import dev.contrastive.models.train.optim.AdamOptions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fixed-seed short training runs with the layers' fast paths ({@link FastPaths}: dense convolutions
 * as gemms, first-layer weight-only gradients, the fused native batch / layer norm kernels) and on
 * the plain libnd4j-op path: the loss curves agree within float32 tolerance, step by step.
 */
class FastPathLossCurveTest {

  private static final int STEPS = 12;
  /** Float32 runs drift apart by rounding; 12 Adam steps stay well inside this. */
  private static final double TOLERANCE = 1e-4;

  @AfterEach
  void restoreDefaults() {
    fastPaths(true);
  }

  @Test
  void amdimLossCurveMatchesTheOpPath() {
    assertSameCurve(amdimCurve(false), amdimCurve(true));
  }

  @Test
  void cpcLossCurveMatchesTheOpPath() {
    assertSameCurve(cpcCurve(false), cpcCurve(true));
  }

  private static void fastPaths(boolean on) {
    FastPaths.setEnabled(on);
  }

  private static void assertSameCurve(double[] slow, double[] fast) {
    for (int i = 0; i < slow.length; i++) {
      assertEquals(slow[i], fast[i], TOLERANCE * Math.max(1, Math.abs(slow[i])), "loss of step " + i);
    }
  }

  /** The small AMDIM shape with batch norm, narrower; its top layers have 1 x 1 outputs. */
  private static double[] amdimCurve(boolean fast) {
    fastPaths(fast);
    SplittableRandom rnd = new SplittableRandom(21);
    INDArray viewA = GradCheck.randomOf(DataType.FLOAT, rnd, 1, 8, 1, 32, 32);
    INDArray viewB = GradCheck.randomOf(DataType.FLOAT, rnd, 1, 8, 1, 32, 32);
    double[] losses = new double[STEPS];
    try (AmdimEncoder enc = AmdimEncoder.create(new AmdimConfig(32, 1, 8, 32, 1, true), DataType.FLOAT, 3);
        AmdimStep step = new AmdimStep(enc, AmdimOptions.defaults())) {
      Adam adam = new Adam(AdamOptions.amdim(), enc.parameters());
      for (int i = 0; i < STEPS; i++) {
        try (MemoryWorkspace ws = AmdimStep.openWorkspace()) {
          losses[i] = step.trainingStep(i, viewA, viewB, i).loss();
          adam.step(enc.parameters(), 1e-3);
        }
      }
    }
    return losses;
  }

  /** CPC v2 on 7 x 7 grids of 8 x 8 patches, tiny widths: layer norm on every conv. */
  private static double[] cpcCurve(boolean fast) {
    fastPaths(fast);
    INDArray images = GradCheck.randomOf(DataType.FLOAT, new SplittableRandom(22), 1, 4, 1, 32, 32);
    double[] losses = new double[STEPS];
    try (CpcEncoder enc = CpcEncoder.create(new CpcConfig(32, 1, 8, 4, 2, 1, 4, 3, 3), DataType.FLOAT, 4)) {
      CpcStep step = new CpcStep(enc, CpcOptions.defaults());
      Adam adam = new Adam(AdamOptions.amdim(), enc.parameters());
      for (int i = 0; i < STEPS; i++) {
        try (MemoryWorkspace ws = CpcStep.openWorkspace()) {
          losses[i] = step.trainingStep(i, images).loss();
          adam.step(enc.parameters(), 1e-3);
        }
      }
    }
    return losses;
  }
}

package dev.contrastive.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.contrastive.bench.torch.ConvShape;
import dev.contrastive.bench.torch.ConvTrace;
import dev.contrastive.bench.torch.TorchCpcEncoder;
import dev.contrastive.bench.torch.TorchRuntime;
import dev.contrastive.bench.torch.TorchTrainSteps;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.encoder.AmdimFeatures;
import dev.contrastive.models.encoder.CpcConfig;
import dev.contrastive.models.encoder.CpcEncoder;
import dev.contrastive.models.encoder.CpcFeatures;
import dev.contrastive.models.nn.Parameters;
import dev.contrastive.models.train.AmdimStep;
import dev.contrastive.models.train.CpcStep;
import dev.contrastive.models.train.optim.Adam;
import dev.contrastive.models.train.optim.AdamOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The PyTorch encoders of the training benchmark compute what ours compute: with our weights copied
 * in, the features agree to 1e-4 relative (max abs difference over max abs value), and so do the
 * losses of two consecutive training steps, the second of which depends on the gradients and the
 * Adam update of the first. Weights are randomised first: amdim's zero-initialised residual
 * branches would otherwise hide every branch from the comparison.
 */
class TorchEncodersTest {

  private static final double TOLERANCE = 1e-4;
  /** Large enough that step 2's loss visibly differs from step 1's. */
  private static final double LR = 1e-2;
  private static final AdamOptions ADAM = new AdamOptions(LR, 0.8, 0.999, 1e-8, 1e-5, false, 0);

  private static NDManager torch;

  @BeforeAll
  static void startTorch() {
    torch = TorchRuntime.engine().newBaseManager();
  }

  @AfterAll
  static void closeTorch() {
    torch.close();
  }

  /** Batch norm inside the blocks and n_depth 2, so every layer kind of the encoder is compared. */
  @Test
  void amdimFeaturesAndTrainingLossesAgree() {
    AmdimConfig cfg = new AmdimConfig(32, 3, 8, 48, 2, true);
    int batch = 6;
    INDArray viewA = Features.nd4j(Features.gaussian(1, batch * 3 * 32 * 32), batch, 3, 32, 32);
    INDArray viewB = Features.nd4j(Features.gaussian(2, batch * 3 * 32 * 32), batch, 3, 32, 32);
    try (AmdimEncoder ours = AmdimEncoder.create(cfg, DataType.FLOAT, 5)) {
      randomise(ours.parameters(), 3);
      TorchTrainSteps.Amdim peer =
          new TorchTrainSteps.Amdim(cfg, ours.parameters(), AmdimOptions.defaults(), ADAM, torch);
      NDArray a = torch(viewA);
      NDArray b = torch(viewB);
      AmdimFeatures f = ours.forward(viewA, true);
      Map<String, NDArray> g = peer.encoder().forward(a, true);
      assertClose("r1", f.r1(), g.get("r1"));
      assertClose("r5", f.r5(), g.get("r5"));
      assertClose("r7", f.r7(), g.get("r7"));

      try (AmdimStep step = new AmdimStep(ours, AmdimOptions.defaults())) {
        Adam adam = new Adam(ADAM, ours.parameters());
        double[] losses = new double[2];
        for (int i = 0; i < 2; i++) {
          double mine = step.trainingStep(i, viewA, viewB, 40 + i).loss();
          adam.step(ours.parameters(), LR);
          double theirs = peer.step(a, b, 40 + i, LR);
          assertEquals(mine, theirs, TOLERANCE * Math.abs(mine), "loss of step " + i);
          losses[i] = mine;
        }
        assertTrue(Math.abs(losses[1] - losses[0]) > 10 * TOLERANCE * Math.abs(losses[0]),
            "the update changed the loss: " + losses[0] + " -> " + losses[1]);
      }
    }
  }

  @Test
  void cpcFeaturesAndTrainingLossesAgree() {
    CpcConfig cfg = new CpcConfig(32, 3, 8, 4, 4, 2, 8, 6, 3);
    int batch = 3;
    INDArray images = Features.nd4j(Features.gaussian(3, batch * 3 * 32 * 32), batch, 3, 32, 32);
    try (CpcEncoder ours = CpcEncoder.create(cfg, DataType.FLOAT, 6)) {
      randomise(ours.parameters(), 4);
      TorchTrainSteps.Cpc peer = new TorchTrainSteps.Cpc(cfg, ours.parameters(), CpcOptions.defaults(), ADAM, torch);
      NDArray x = torch(images);
      CpcFeatures f = ours.forward(images, true);
      TorchCpcEncoder.Output g = peer.encoder().forward(x);
      assertClose("targets", f.targets(), g.targets());
      for (int s = 0; s < 3; s++) {
        assertClose("prediction " + s, f.predictions().get(s), g.predictions().get(s));
      }
      CpcStep step = new CpcStep(ours, CpcOptions.defaults());
      Adam adam = new Adam(ADAM, ours.parameters());
      for (int i = 0; i < 2; i++) {
        double mine = step.trainingStep(i, images).loss();
        adam.step(ours.parameters(), LR);
        double theirs = peer.step(x, LR);
        assertEquals(mine, theirs, TOLERANCE * Math.abs(mine), "loss of step " + i);
      }
    }
  }

  /** The trace sees every convolution: the small AMDIM encoder runs 19 (13 in the trunk, 3 per tap). */
  @Test
  void convTraceListsTheEncodersLayers() {
    AmdimConfig cfg = AmdimConfig.small(1);
    try (AmdimEncoder ours = AmdimEncoder.create(cfg, DataType.FLOAT, 1)) {
      TorchTrainSteps.Amdim peer =
          new TorchTrainSteps.Amdim(cfg, ours.parameters(), AmdimOptions.defaults(), ADAM, torch);
      NDArray x = torch.randomNormal(new ai.djl.ndarray.types.Shape(2, 1, 32, 32));
      List<ConvShape> convs = ConvTrace.record(() -> peer.encoder().forward(x, true));
      assertEquals(19, convs.size());
      assertArrayEquals(new long[] {30, 30}, new long[] {convs.get(0).outH(), convs.get(0).outW()});
      assertEquals(2.0 * 2 * 32 * 30 * 30 * 1 * 3 * 3, convs.get(0).forwardFlops());
    }
  }

  private static void randomise(Parameters p, long seed) {
    INDArray values = p.flatValues();
    INDArray r = Features.nd4j(Features.gaussian(seed, values.length()), values.length());
    values.assign(r.muli(0.2));
  }

  private NDArray torch(INDArray x) {
    return torch.create(x.castTo(DataType.FLOAT).data().asFloat(), new ai.djl.ndarray.types.Shape(x.shape()));
  }

  private static void assertClose(String name, INDArray ours, NDArray theirs) {
    assertArrayEquals(ours.shape(), theirs.getShape().getShape(), name + " shape");
    float[] a = ours.castTo(DataType.FLOAT).dup('c').data().asFloat();
    float[] b = theirs.toFloatArray();
    double maxDiff = 0;
    double maxAbs = 0;
    for (int i = 0; i < a.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      maxAbs = Math.max(maxAbs, Math.abs(a[i]));
    }
    assertTrue(maxAbs > 0, name + " is all zeros");
    assertTrue(maxDiff <= TOLERANCE * maxAbs, name + ": max |diff| " + maxDiff + " vs max |x| " + maxAbs);
  }
}

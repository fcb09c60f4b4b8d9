package dev.contrastive.models.method.cpc;

import dev.contrastive.core.loss.CpcLoss;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.models.encoder.CpcEncoder;
import dev.contrastive.models.encoder.CpcFeatures;
import dev.contrastive.models.nn.OnnxGraph;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.StepChecks;
import dev.contrastive.models.method.StepOutcome;
import dev.contrastive.models.nn.Parameters;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * CPC v2's step: one view per image (its patches predict each other, so the second view is not
 * used), the patch encoder, context network and heads of {@link CpcEncoder}, the fused {@link
 * CpcLoss}, and the backward pass to the parameters. The probes read the patch vectors averaged over
 * the grid, the representation the paper evaluates.
 */
public final class CpcMethod implements Method {

  private final CpcMethodConfig config;
  private final CpcEncoder model;
  private final CpcLoss loss;

  /**
   * @param dataType FLOAT to train (checkpoints are float32); DOUBLE for gradient checks
   * @param seed seed of the initial weights
   */
  public CpcMethod(CpcMethodConfig config, DataType dataType, long seed) {
    this.config = config;
    this.model = CpcEncoder.create(config.model(), dataType, seed);
    this.loss = new CpcLoss(config.loss());
  }

  /** The model, for benchmarks and profiles of its layers. */
  public CpcEncoder encoder() {
    return model;
  }

  @Override
  public CpcMethodConfig config() {
    return config;
  }

  @Override
  public Parameters parameters() {
    return model.parameters();
  }

  @Override
  public int views() {
    return 1;
  }

  @Override
  public StepOutcome forwardBackward(long step, INDArray viewA, INDArray viewB, long lossSeed) {
    CpcFeatures f = model.forward(viewA, true);
    // Checked here rather than left to the loss, whose input validation would name no step.
    StepChecks.requireFiniteOutput(step, "targets", f.targets());
    for (int s = 0; s < f.predictions().size(); s++) {
      StepChecks.requireFiniteOutput(step, "prediction " + s, f.predictions().get(s));
    }
    try (LossResult r = loss.compute(f.targets(), f.predictions())) {
      StepChecks.requireFiniteLoss(step, r.loss(), r.parts());
      Parameters params = model.parameters();
      params.zeroGrad();
      model.backwardToParameters(r.gradient("targets"), predictionGradients(r), null);
      double gradNorm = StepChecks.finiteGradNorm(step, params);
      return new StepOutcome(r.loss(), r.parts(), r.diagnostics().accuracy(), gradNorm, pooled(f));
    }
  }

  @Override
  public StepOutcome evaluate(INDArray viewA, INDArray viewB, long lossSeed) {
    CpcFeatures f = model.forward(viewA, false);
    try (LossResult r = loss.compute(f.targets(), f.predictions())) {
      return new StepOutcome(r.loss(), r.parts(), r.diagnostics().accuracy(), Double.NaN, pooled(f));
    }
  }

  @Override
  public INDArray features(INDArray images) {
    return pooled(model.forward(images, false));
  }

  @Override
  public int featureDim() {
    return config.model().latentDim();
  }

  /** The patch vectors averaged over the grid, as {@link #features}. */
  @Override
  public String exportFeatures(OnnxGraph g, String images) {
    return g.op("ReduceMean", model.exportLatents(g, images)).ints("axes", 2, 3).integer("keepdims", 0).output();
  }

  private List<INDArray> predictionGradients(LossResult r) {
    List<INDArray> d = new ArrayList<>();
    for (int s = 0; s < config.loss().stepsToPredict(); s++) {
      d.add(r.gradient("pred_k" + config.loss().offset(s)));
    }
    return d;
  }

  /** The patch vectors (B, D, g, g) averaged over the grid: (B, D). */
  private static INDArray pooled(CpcFeatures f) {
    return f.latents().mean(2, 3);
  }

  @Override
  public void close() {
    model.close();
  }
}

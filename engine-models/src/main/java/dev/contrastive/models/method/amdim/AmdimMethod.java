package dev.contrastive.models.method.amdim;

import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.encoder.AmdimFeatures;
import dev.contrastive.models.nn.OnnxGraph;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.StepChecks;
import dev.contrastive.models.method.StepOutcome;
import dev.contrastive.models.nn.Parameters;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * AMDIM's step: the encoder on view A and a weight-sharing replica on view B (batch statistics per
 * view, as amdim-public calls its encoder once per view), the fused {@link AmdimLoss} over the taps
 * r1, r5 and r7 with source locations drawn from the step's seed, and the backward pass of both views.
 */
public final class AmdimMethod implements Method {

  private final AmdimMethodConfig config;
  private final AmdimEncoder model;
  private final AmdimEncoder replica;
  private final AmdimLoss loss;

  /**
   * @param dataType FLOAT to train (checkpoints are float32); DOUBLE for gradient checks
   * @param seed seed of the initial weights
   */
  public AmdimMethod(AmdimMethodConfig config, DataType dataType, long seed) {
    this.config = config;
    this.model = AmdimEncoder.create(config.encoder(), dataType, seed);
    this.replica = model.replica();
    this.loss = new AmdimLoss(config.loss());
  }

  /** The encoder (view A's instance), for benchmarks and profiles of its layers. */
  public AmdimEncoder encoder() {
    return model;
  }

  @Override
  public AmdimMethodConfig config() {
    return config;
  }

  @Override
  public Parameters parameters() {
    return model.parameters();
  }

  @Override
  public int views() {
    return 2;
  }

  @Override
  public StepOutcome forwardBackward(long step, INDArray viewA, INDArray viewB, long lossSeed) {
    AmdimFeatures a = model.forward(viewA, true);
    AmdimFeatures b = replica.forward(viewB, true);
    // Checked here rather than left to the loss, whose input validation would name no step.
    requireFinite(step, "a_", a);
    requireFinite(step, "b_", b);
    try (LossResult r = loss.compute(a.asMap(), b.asMap(), SourceSampler.random(lossSeed))) {
      StepChecks.requireFiniteLoss(step, r.loss(), r.parts());
      Parameters params = model.parameters();
      params.zeroGrad();
      model.backwardToParameters(r.gradient("a_r1"), r.gradient("a_r5"), r.gradient("a_r7"));
      replica.backwardToParameters(r.gradient("b_r1"), r.gradient("b_r5"), r.gradient("b_r7"));
      double gradNorm = StepChecks.finiteGradNorm(step, params);
      return new StepOutcome(r.loss(), r.parts(), r.diagnostics().accuracy(), gradNorm,
          config.probe().features(a));
    }
  }

  @Override
  public StepOutcome evaluate(INDArray viewA, INDArray viewB, long lossSeed) {
    AmdimFeatures a = model.forward(viewA, false);
    AmdimFeatures b = replica.forward(viewB, false);
    try (LossResult r = loss.compute(a.asMap(), b.asMap(), SourceSampler.random(lossSeed))) {
      return new StepOutcome(r.loss(), r.parts(), r.diagnostics().accuracy(), Double.NaN,
          config.probe().features(a));
    }
  }

  @Override
  public INDArray features(INDArray images) {
    return config.probe().features(model.forward(images, false, config.probe().needsTapHeads()));
  }

  @Override
  public int featureDim() {
    return config.probe().dim(config.encoder());
  }

  @Override
  public String exportFeatures(OnnxGraph g, String images) {
    return config.probe().export(g, model.export(g, images, config.probe().needsTapHeads()));
  }

  private static void requireFinite(long step, String prefix, AmdimFeatures f) {
    for (Map.Entry<String, INDArray> tap : f.asMap().entrySet()) {
      StepChecks.requireFiniteOutput(step, prefix + tap.getKey(), tap.getValue());
    }
  }

  /** Closes both encoder instances and the parameters. */
  @Override
  public void close() {
    replica.close();
    model.close();
  }
}

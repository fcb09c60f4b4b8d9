package dev.contrastive.models.train;

import dev.contrastive.core.loss.CpcLoss;
import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.models.encoder.CpcEncoder;
import dev.contrastive.models.encoder.CpcFeatures;
import dev.contrastive.models.nn.Parameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * CPC v2's computation on one batch of images, without the update: the patch encoder, context
 * network and prediction heads ({@link CpcEncoder}), the fused {@link CpcLoss}, and the backward
 * pass into the encoder's gradients. The counterpart of {@link AmdimStep}; an optimiser step
 * ({@code optim.Adam}) on {@code encoder.parameters()} completes a training step.
 *
 * <p>CPC needs one view per image (the patches of one image predict each other), so there is no
 * replica. As in {@link AmdimStep}, every array lives in the workspace the caller opens around each
 * call ({@link #openWorkspace()}), so consecutive steps reuse the same native memory.
 *
 * <p>Not thread-safe.
 */
public final class CpcStep {

  private final CpcEncoder model;
  private final CpcLoss loss;

  public CpcStep(CpcEncoder model, CpcOptions lossOptions) {
    if (lossOptions.stepsToPredict() != model.config().predictionSteps()) {
      throw new IllegalArgumentException(
          "cpc loss predicts " + lossOptions.stepsToPredict() + " offsets but the encoder has "
              + model.config().predictionSteps() + " prediction heads");
    }
    this.model = model;
    this.loss = new CpcLoss(lossOptions);
  }

  /**
   * What one batch gave.
   *
   * @param loss the total loss
   * @param parts the per-offset terms {@code k<k>} whose sum is the loss
   * @param accuracy strict NCE accuracy
   * @param gradNorm global L2 norm of the gradients
   */
  public record Outcome(double loss, Map<String, Double> parts, double accuracy, double gradNorm) {}

  /** The workspace to open around each call; reset (reused) by the next open of the same thread. */
  public static MemoryWorkspace openWorkspace() {
    return NativeMemory.scope("cpc-train-step");
  }

  /**
   * Forward, loss and backward: on return {@code model.parameters()} holds this batch's gradients
   * (zeroed first).
   *
   * @param step the step, named in a {@link TrainingDivergedException}
   * @param images (B, inChannels, imageSize, imageSize)
   * @throws TrainingDivergedException if an encoder output, the loss or a gradient is not finite
   */
  public Outcome trainingStep(long step, INDArray images) {
    CpcFeatures f = model.forward(images, true);
    // Checked here rather than left to the loss, whose input validation would name no step.
    requireFinite(step, "targets", f.targets());
    for (int s = 0; s < f.predictions().size(); s++) {
      requireFinite(step, "prediction " + s, f.predictions().get(s));
    }
    try (LossResult r = loss.compute(f.targets(), f.predictions())) {
      if (!Double.isFinite(r.loss())) {
        throw new TrainingDivergedException(step, "loss", "is " + r.loss());
      }
      List<INDArray> dPredictions = new ArrayList<>();
      for (int s = 0; s < f.predictions().size(); s++) {
        dPredictions.add(r.gradient("pred_k" + loss.options().offset(s)));
      }
      Parameters params = model.parameters();
      params.zeroGrad();
      model.backwardToParameters(r.gradient("targets"), dPredictions, null);
      double gradNorm = params.flatGrads().norm2Number().doubleValue();
      if (!Double.isFinite(gradNorm)) {
        throw AmdimStep.divergedGradient(step, params);
      }
      return new Outcome(r.loss(), r.parts(), r.diagnostics().accuracy(), gradNorm);
    }
  }

  private static void requireFinite(long step, String name, INDArray x) {
    if (!Finite.all(x)) {
      throw new TrainingDivergedException(step, "encoder output " + name, "has NaN or infinite values");
    }
  }
}

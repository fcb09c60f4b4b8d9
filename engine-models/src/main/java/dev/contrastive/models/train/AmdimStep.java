package dev.contrastive.models.train;

import dev.contrastive.augment.pipeline.PairBatch;
import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.encoder.AmdimFeatures;
import dev.contrastive.models.nn.Parameters;
import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * AMDIM's computation on one batch of paired views, without the update: the encoder on view A and
 * a weight-sharing replica on view B, the fused {@link AmdimLoss}, and (for training) the backward
 * pass of both views into the encoder's gradients. {@link Trainer} adds the optimiser, checkpoints
 * and metrics; benchmarks time this class plus one Adam update as "the training step".
 *
 * <p>Every array this class creates lives in the workspace the caller opens around each call
 * ({@link #openWorkspace()}): the features, the loss's gradients and the backward arrays reuse the
 * same native memory each step, because in ND4J 1.0.0-M2.1 closing an array does not return its
 * memory (see {@code nn.Arena}). The {@link Outcome}'s r1 array is valid until that workspace closes.
 *
 * <p>Not thread-safe. Closing it closes the replica, not the encoder.
 */
public final class AmdimStep implements AutoCloseable {

  private final AmdimEncoder model;
  private final AmdimEncoder replica;
  private final AmdimLoss loss;

  public AmdimStep(AmdimEncoder model, AmdimOptions lossOptions) {
    this.model = model;
    this.replica = model.replica();
    this.loss = new AmdimLoss(lossOptions);
  }

  /**
   * What one batch gave.
   *
   * @param loss the total loss
   * @param parts the named terms whose sum is the loss
   * @param accuracy strict NCE accuracy
   * @param gradNorm global L2 norm of the gradients (NaN for {@link #evaluate})
   * @param r1 view A's r1 features (B, n_rkhs), detached: nothing flows back from them
   */
  public record Outcome(double loss, Map<String, Double> parts, double accuracy, double gradNorm, INDArray r1) {}

  /** The workspace to open around each call; reset (reused) by the next open of the same thread. */
  public static MemoryWorkspace openWorkspace() {
    return NativeMemory.scope("train-step");
  }

  /**
   * Forward, loss and backward in training mode (batch statistics, running statistics updated):
   * on return {@code model.parameters()} holds this batch's gradients (zeroed first).
   *
   * @param step the step, named in a {@link TrainingDivergedException}
   * @param lossSeed seed of the loss's source locations
   * @throws TrainingDivergedException if an encoder output, the loss or a gradient is not finite
   */
  public Outcome trainingStep(long step, PairBatch batch, long lossSeed) {
    return trainingStep(step, batch.viewA(), batch.viewB(), lossSeed);
  }

  /**
   * {@link #trainingStep(long, PairBatch, long)} on two view arrays (B, C, H, W), for callers
   * without a data pipeline: benchmarks and memory tests with fixed views.
   */
  public Outcome trainingStep(long step, INDArray viewA, INDArray viewB, long lossSeed) {
    AmdimFeatures a = model.forward(viewA, true);
    AmdimFeatures b = replica.forward(viewB, true);
    // Checked here rather than left to the loss, whose input validation would name no step.
    requireFinite(step, "a_", a.asMap());
    requireFinite(step, "b_", b.asMap());
    try (LossResult r = loss.compute(a.asMap(), b.asMap(), SourceSampler.random(lossSeed))) {
      requireFinite(step, "loss", r.loss());
      for (Map.Entry<String, Double> part : r.parts().entrySet()) {
        requireFinite(step, "loss part " + part.getKey(), part.getValue());
      }
      Parameters params = model.parameters();
      params.zeroGrad();
      model.backwardToParameters(r.gradient("a_r1"), r.gradient("a_r5"), r.gradient("a_r7"));
      replica.backwardToParameters(r.gradient("b_r1"), r.gradient("b_r5"), r.gradient("b_r7"));
      double gradNorm = params.flatGrads().norm2Number().doubleValue();
      if (!Double.isFinite(gradNorm)) {
        throw divergedGradient(step, params);
      }
      return new Outcome(r.loss(), r.parts(), r.diagnostics().accuracy(), gradNorm, flatR1(a));
    }
  }

  /**
   * Forward and loss in evaluation mode (running statistics, nothing updated, no gradients), for
   * validation: a batch's scores do not depend on which other images share its batch norm.
   */
  public Outcome evaluate(PairBatch batch, long lossSeed) {
    AmdimFeatures a = model.forward(batch.viewA(), false);
    AmdimFeatures b = replica.forward(batch.viewB(), false);
    try (LossResult r = loss.compute(a.asMap(), b.asMap(), SourceSampler.random(lossSeed))) {
      return new Outcome(r.loss(), r.parts(), r.diagnostics().accuracy(), Double.NaN, flatR1(a));
    }
  }

  private static INDArray flatR1(AmdimFeatures f) {
    INDArray r1 = f.asMap().get("r1");
    return r1.reshape(r1.size(0), r1.length() / r1.size(0));
  }

  private static void requireFinite(long step, String tensor, double value) {
    if (!Double.isFinite(value)) {
      throw new TrainingDivergedException(step, tensor, "is " + value);
    }
  }

  private static void requireFinite(long step, String prefix, Map<String, INDArray> features) {
    for (Map.Entry<String, INDArray> f : features.entrySet()) {
      INDArray x = f.getValue();
      if (!Finite.all(x)) {
        throw new TrainingDivergedException(step, "encoder output " + prefix + f.getKey(),
            "has NaN or infinite values");
      }
    }
  }

  /** The first parameter whose gradient is not finite, named; the global norm only says that one is. */
  static TrainingDivergedException divergedGradient(long step, Parameters params) {
    for (Parameters.Tensor t : params.trainable()) {
      double norm = t.grad().norm2Number().doubleValue();
      if (!Double.isFinite(norm)) {
        return new TrainingDivergedException(step, "gradient of " + t.name(), "has norm " + norm);
      }
    }
    return new TrainingDivergedException(step, "gradient", "has a non-finite global norm");
  }

  @Override
  public void close() {
    replica.close();
  }
}

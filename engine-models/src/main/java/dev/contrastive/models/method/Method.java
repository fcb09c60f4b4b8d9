package dev.contrastive.models.method;

import dev.contrastive.models.nn.OnnxGraph;
import dev.contrastive.models.nn.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A contrastive method: an encoder (and whatever heads its loss reads) with its fused loss, as one
 * unit the trainer, the checkpoints, the probes and the export drive without knowing which method it
 * is. Implementations live one package each under {@code dev.contrastive.models.method} and are listed
 * in {@code dev.contrastive.models.registry.Methods}.
 *
 * <p>Arrays a call returns live in the workspace scope the caller opened around it ({@code
 * NativeMemory.scope}) or, outside one, until the method's next call; copy what must outlive that.
 * Not thread-safe. Closing a method frees its parameters and caches.
 */
public interface Method extends AutoCloseable {

  /** The hyper-parameters it was built with; equal configs build identical architectures. */
  MethodConfig config();

  /** Every trainable tensor and buffer (batch-norm running statistics), one flat set. */
  Parameters parameters();

  /**
   * Views each training example contributes: 2 for methods that contrast two augmented views of an
   * image, 1 for CPC, whose patches of one view predict each other (the trainer passes view A only).
   */
  int views();

  /**
   * Forward of the views, the fused loss and the backward pass, in training mode (batch statistics):
   * on return {@link #parameters()} holds this batch's gradients (zeroed first). Nothing is updated;
   * the optimiser step is the caller's.
   *
   * @param step the step, named in a {@link TrainingDivergedException}
   * @param viewA the first views, in the shape the method's config expects
   * @param viewB the second views, same shape; ignored (may be null) when {@link #views()} is 1
   * @param lossSeed seed of the loss's random choices (sampled source locations), so that a resumed
   *     step draws what the uninterrupted one did
   * @throws TrainingDivergedException if an encoder output, the loss or a gradient is not finite
   */
  StepOutcome forwardBackward(long step, INDArray viewA, INDArray viewB, long lossSeed);

  /**
   * Forward and loss in evaluation mode (running statistics, no gradients, nothing updated), for
   * validation: a view's scores do not depend on which others share its batch.
   */
  StepOutcome evaluate(INDArray viewA, INDArray viewB, long lossSeed);

  /**
   * The representation the probes read, in evaluation mode: (B, {@link #featureDim()}) for whole
   * images of the shape {@link MethodConfig#imageShape()} names (CPC cuts its own patch grid).
   */
  INDArray features(INDArray images);

  /** Width of {@link #features}. */
  int featureDim();

  /**
   * Appends {@link #features} to an ONNX graph, as {@code dev.contrastive.models.export.OnnxExport}
   * writes it: from {@code images}, the graph input (N, C, S, S) of {@link MethodConfig#imageShape()},
   * to (N, {@link #featureDim()}) in evaluation mode.
   *
   * @return the name of the features' value
   * @throws UnsupportedOperationException naming the method, for one without an ONNX form (the default)
   */
  default String exportFeatures(OnnxGraph g, String images) {
    throw new UnsupportedOperationException(config().method() + " has no ONNX export of its features");
  }

  @Override
  void close();
}

package dev.contrastive.core.loss;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import dev.contrastive.core.kernel.ScoreStats;
import dev.contrastive.core.kernel.SoftmaxCrossEntropyKernel;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.core.tensor.TensorChecks;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * InfoNCE / NT-Xent (SimCLR): each of the 2B features is scored against the other 2B - 1; its other
 * view is the positive, every other sample of both views a negative.
 *
 * <p>{@code loss = 1/2B sum_i [ -s(i, pos(i)) + log sum_{j != i} exp s(i, j) ]}, with
 * {@code s(i, j) = z_i . z_j / temperature} on L2-normalised features when {@code normalize} is set.
 * Forward and backward run fused and tiled ({@link SoftmaxCrossEntropyKernel}): memory grows with B,
 * not B^2.
 */
public final class InfoNceLoss {

  /** This loss's scope for a call's scratch arrays, reused by every call (see NativeMemory). */
  private static final String LOSS_SCOPE = "infonce-loss";

  private final InfoNceOptions options;

  public InfoNceLoss(InfoNceOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  public InfoNceOptions options() {
    return options;
  }

  /**
   * @param a view A features, (B, D)
   * @param b view B features, (B, D), row i the same image as row i of {@code a}
   * @return loss, part {@code nce}, diagnostics and gradients {@code a} and {@code b}
   */
  public LossResult compute(INDArray a, INDArray b) {
    TensorChecks.requireRank("a", a, 2, "(B, D)");
    TensorChecks.requireRank("b", b, 2, "(B, D)");
    TensorChecks.requireSameType("b", b, "a", a);
    TensorChecks.requireDim("b", b, 0, a.size(0), "batch size B of a");
    TensorChecks.requireDim("b", b, 1, a.size(1), "feature dim D of a");
    TensorChecks.requireFinite("a", a);
    TensorChecks.requireFinite("b", b);

    int batch = (int) a.size(0);
    int n = 2 * batch;
    int[] positive = new int[n];
    int[] self = new int[n];
    double[] weights = new double[n];
    for (int i = 0; i < n; i++) {
      positive[i] = (i + batch) % n;
      self[i] = i;
      weights[i] = 1.0 / n;
    }
    MemoryWorkspace caller = NativeMemory.current();
    try (MemoryWorkspace ignored = NativeMemory.scope(LOSS_SCOPE)) {
      INDArray z = Nd4j.concat(0, a, b);
      INDArray dq = NativeMemory.uninitialized(z.dataType(), z.shape());
      INDArray dk = Nd4j.zeros(z.dataType(), z.shape());
      INDArray norms = options.normalize() ? Normalization.normalizeRows(z) : null;
      ScoreStats stats =
          SoftmaxCrossEntropyKernel.run(
              z, z, 1.0 / options.temperature(), positive, self, weights, dq, dk, options.tiling());
      INDArray dz = dq.addi(dk);
      if (norms != null) {
        Normalization.backward(z, dz, norms);
      }
      INDArray gradA;
      INDArray gradB;
      try (MemoryWorkspace out = NativeMemory.outputsTo(caller)) {
        gradA = dz.get(interval(0, batch), all()).dup();
        gradB = dz.get(interval(batch, n), all()).dup();
      }
      return new LossResult(
          stats.loss(),
          Map.of("nce", stats.loss()),
          Losses.diagnostics(stats),
          Losses.named("a", gradA, "b", gradB),
          Map.of());
    }
  }

  @Override
  public String toString() {
    return "InfoNceLoss" + Arrays.asList(options.temperature(), options.normalize(), options.tiling());
  }
}

package dev.contrastive.core.loss;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Value, parts, diagnostics and gradients of one fused loss call.
 *
 * <p>Gradients have the shape of the inputs they belong to. A call made inside an ND4J workspace
 * allocates them in that workspace, so a training step that opens one per step reuses the same
 * native memory every step. Outside any workspace they are plain arrays; {@link #close()} releases
 * them, but ND4J 1.0.0-M2.1 returns that memory only at garbage collection (measured: closing an
 * array does not lower the resident set).
 */
public final class LossResult implements AutoCloseable {

  private final double loss;
  private final Map<String, Double> parts;
  private final Diagnostics diagnostics;
  private final Map<String, INDArray> gradients;
  private final Map<String, int[]> sourceLocations;

  /**
   * @param loss the total loss
   * @param parts named terms whose sum is the loss (for example {@code r1->r5} and {@code reg})
   * @param diagnostics mean positive and negative scores and NCE accuracy
   * @param gradients d loss / d input, keyed like the inputs
   * @param sourceLocations the random source locations the loss drew or was given, keyed as in
   *     {@link SourceSampler}
   */
  public LossResult(
      double loss,
      Map<String, Double> parts,
      Diagnostics diagnostics,
      Map<String, INDArray> gradients,
      Map<String, int[]> sourceLocations) {
    this.loss = loss;
    this.parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
    this.diagnostics = diagnostics;
    this.gradients = Collections.unmodifiableMap(new LinkedHashMap<>(gradients));
    this.sourceLocations = Collections.unmodifiableMap(new LinkedHashMap<>(sourceLocations));
  }

  public double loss() {
    return loss;
  }

  public Map<String, Double> parts() {
    return parts;
  }

  public Diagnostics diagnostics() {
    return diagnostics;
  }

  public Map<String, INDArray> gradients() {
    return gradients;
  }

  /** The gradient for one named input; fails naming the known inputs if there is none. */
  public INDArray gradient(String input) {
    INDArray g = gradients.get(input);
    if (g == null) {
      throw new IllegalArgumentException(
          "no gradient named '" + input + "'; this result has " + gradients.keySet());
    }
    return g;
  }

  public Map<String, int[]> sourceLocations() {
    return sourceLocations;
  }

  @Override
  public void close() {
    gradients.values().stream().filter(INDArray::closeable).forEach(INDArray::close);
  }
}

package dev.contrastive.bench.materialized;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Loss, parts and gradients of one materialised loss call; {@link #close()} frees the gradients. */
public final class MaterializedResult implements AutoCloseable {

  private final double loss;
  private final Map<String, Double> parts;
  private final Map<String, INDArray> gradients;

  MaterializedResult(Map<String, Double> parts, Map<String, INDArray> gradients) {
    this.loss = parts.values().stream().mapToDouble(Double::doubleValue).sum();
    this.parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
    this.gradients = Collections.unmodifiableMap(new LinkedHashMap<>(gradients));
  }

  /** The sum of the parts. */
  public double loss() {
    return loss;
  }

  /** Named terms whose sum is the loss, named as in the fused losses. */
  public Map<String, Double> parts() {
    return parts;
  }

  /** d loss / d input, keyed like the fused losses' gradients. */
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

  @Override
  public void close() {
    gradients.values().forEach(INDArray::close);
  }
}

package dev.contrastive.bench.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loss, parts and gradients of one PyTorch loss call. The gradients live in a manager of their own,
 * so {@link #close()} frees them without touching the inputs.
 */
public final class TorchResult implements AutoCloseable {

  private final double loss;
  private final Map<String, Double> parts;
  private final Map<String, NDArray> gradients;
  private final NDManager owner;

  TorchResult(
      double loss, Map<String, Double> parts, Map<String, NDArray> gradients, NDManager owner) {
    this.loss = loss;
    this.parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
    this.gradients = Collections.unmodifiableMap(new LinkedHashMap<>(gradients));
    this.owner = owner;
  }

  public double loss() {
    return loss;
  }

  /** Named terms whose sum is the loss, named as in the fused losses. */
  public Map<String, Double> parts() {
    return parts;
  }

  /** d loss / d input, keyed like the fused losses' gradients. */
  public Map<String, NDArray> gradients() {
    return gradients;
  }

  /** The gradient for one named input; fails naming the known inputs if there is none. */
  public NDArray gradient(String input) {
    NDArray g = gradients.get(input);
    if (g == null) {
      throw new IllegalArgumentException(
          "no gradient named '" + input + "'; this result has " + gradients.keySet());
    }
    return g;
  }

  @Override
  public void close() {
    owner.close();
  }
}

package dev.contrastive.bench.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.contrastive.models.nn.Parameters;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A PyTorch copy of one of our {@link Parameters}: the same names (torch state_dict style), shapes
 * and float32 values, trainable tensors as autograd leaves, buffers (batch-norm running statistics)
 * without gradients. Copying our initial weights makes the two sides compute the same function, so
 * the benchmark compares implementations, not initialisations, and a test can compare outputs.
 */
public final class TorchParameters {

  private final Map<String, NDArray> trainable = new LinkedHashMap<>();
  private final Map<String, NDArray> all = new LinkedHashMap<>();

  /** Copies every tensor of {@code source} into arrays owned by {@code manager}. */
  public TorchParameters(Parameters source, NDManager manager) {
    for (Parameters.Tensor t : source.all()) {
      float[] values = t.value().castTo(DataType.FLOAT).data().asFloat();
      NDArray x = manager.create(values, new Shape(t.shape()));
      if (t.trainable()) {
        x.setRequiresGradient(true);
        trainable.put(t.name(), x);
      }
      all.put(t.name(), x);
    }
  }

  /** The tensor called {@code name}, or an exception naming it. */
  public NDArray get(String name) {
    NDArray x = all.get(name);
    if (x == null) {
      throw new IllegalArgumentException("no parameter '" + name + "'; the model declares " + all.keySet());
    }
    return x;
  }

  /** Trainable tensors by name, in declaration order. */
  public Map<String, NDArray> trainable() {
    return trainable;
  }

  /** Every tensor, trainable or buffer. */
  public Collection<NDArray> all() {
    return all.values();
  }

  /** Number of scalars in the trainable tensors. */
  public long count() {
    return trainable.values().stream().mapToLong(NDArray::size).sum();
  }
}

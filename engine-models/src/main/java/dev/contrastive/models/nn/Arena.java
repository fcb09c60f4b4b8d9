package dev.contrastive.models.nn;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Owns the arrays one training or evaluation step allocates (activations, cached inputs,
 * gradients), and frees them together when the step is over.
 *
 * <p>Why an arena instead of ND4J workspaces: the arrays of a step have one lifetime (forward
 * allocates, backward reads, the next step discards), outputs must stay valid for the caller
 * between forward and backward, and ops allocate their own outputs; a list that is closed at once
 * expresses exactly that without workspace scoping rules leaking into every layer.
 */
public final class Arena implements AutoCloseable {

  private final List<INDArray> owned = new ArrayList<>();

  /** Takes ownership of {@code a} (a fresh, non-view array) and returns it. */
  public INDArray own(INDArray a) {
    owned.add(a);
    return a;
  }

  /** Number of arrays currently owned. */
  public int size() {
    return owned.size();
  }

  /**
   * Frees every owned array. Arrays handed out before are invalid afterwards; views (which ND4J
   * does not let one close) are skipped since their base is owned elsewhere.
   */
  public void clear() {
    for (INDArray a : owned) {
      if (a.closeable() && !a.wasClosed()) {
        a.close();
      }
    }
    owned.clear();
  }

  @Override
  public void close() {
    clear();
  }
}

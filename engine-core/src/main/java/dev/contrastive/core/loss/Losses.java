package dev.contrastive.core.loss;

import dev.contrastive.core.kernel.ScoreStats;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Helpers shared by the loss entry points. */
final class Losses {

  private Losses() {}

  /** Pooled diagnostics; the mean over an empty set of negatives is NaN. */
  static Diagnostics diagnostics(ScoreStats stats) {
    return new Diagnostics(
        stats.positiveSum() / stats.positives(),
        stats.negatives() == 0 ? Double.NaN : stats.negativeSum() / stats.negatives(),
        (double) stats.correct() / stats.positives());
  }

  /** Gradients in the order given, as alternating name, array pairs. */
  static Map<String, INDArray> named(Object... nameArrayPairs) {
    Map<String, INDArray> map = new LinkedHashMap<>();
    for (int i = 0; i < nameArrayPairs.length; i += 2) {
      map.put((String) nameArrayPairs[i], (INDArray) nameArrayPairs[i + 1]);
    }
    return map;
  }
}

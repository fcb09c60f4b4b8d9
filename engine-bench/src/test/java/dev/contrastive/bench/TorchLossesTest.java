package dev.contrastive.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.contrastive.bench.materialized.MaterializedLosses;
import dev.contrastive.bench.materialized.MaterializedResult;
import dev.contrastive.bench.torch.TorchLosses;
import dev.contrastive.bench.torch.TorchResult;
import dev.contrastive.bench.torch.TorchRuntime;
import dev.contrastive.core.loss.InfoNceLoss;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.loss.LossResult;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The benchmark compares like with like: on small shapes the PyTorch losses, the materialised ND4J
 * losses and the fused losses agree on the loss, its parts and every gradient to a relative 1e-4.
 */
class TorchLossesTest {

  private static final double TOLERANCE = 1e-4;

  private static NDManager torch;

  @BeforeAll
  static void startTorch() {
    torch = TorchRuntime.engine().newBaseManager();
  }

  @AfterAll
  static void closeTorch() {
    torch.close();
  }

  /** The same float values as an ND4J array and a PyTorch array. */
  private record Input(INDArray nd4j, NDArray torch) {}

  private static Input input(long seed, long... shape) {
    float[] values = Features.gaussian(seed, Features.count(shape));
    return new Input(Features.nd4j(values, shape), Features.torch(torch, values, shape));
  }

  @Test
  void infoNceAgreesAcrossImplementations() {
    Input a = input(1, 8, 16);
    Input b = input(2, 8, 16);
    for (InfoNceOptions options :
        new InfoNceOptions[] {
          InfoNceOptions.defaults(), InfoNceOptions.defaults().withNormalize(false).withTemperature(3)
        }) {
      try (LossResult fused = new InfoNceLoss(options).compute(a.nd4j(), b.nd4j());
          MaterializedResult materialized = MaterializedLosses.infoNce(a.nd4j(), b.nd4j(), options);
          TorchResult pytorch = TorchLosses.infoNce(a.torch(), b.torch(), options)) {
        Outcome expected = Outcome.of(fused);
        expected.assertMatches("materialized " + options, Outcome.of(materialized));
        expected.assertMatches("torch " + options, Outcome.of(pytorch));
      }
    }
  }

  @Test
  void comparisonDetectsADifferentTemperature() {
    Input a = input(3, 8, 16);
    Input b = input(4, 8, 16);
    InfoNceOptions options = InfoNceOptions.defaults();
    try (MaterializedResult materialized = MaterializedLosses.infoNce(a.nd4j(), b.nd4j(), options);
        TorchResult pytorch =
            TorchLosses.infoNce(a.torch(), b.torch(), options.withTemperature(0.11))) {
      Outcome expected = Outcome.of(materialized);
      Outcome other = Outcome.of(pytorch);
      assertTrue(relative(expected.loss(), other.loss()) > 10 * TOLERANCE);
      assertTrue(
          maxRelative(expected.gradients().get("a"), other.gradients().get("a")) > 10 * TOLERANCE);
    }
  }

  /** Loss, parts and gradients of any implementation, as doubles in C order. */
  private record Outcome(double loss, Map<String, Double> parts, Map<String, double[]> gradients) {

    static Outcome of(LossResult r) {
      Map<String, double[]> g = new LinkedHashMap<>();
      r.gradients().forEach((name, x) -> g.put(name, values(x)));
      return new Outcome(r.loss(), r.parts(), g);
    }

    static Outcome of(MaterializedResult r) {
      Map<String, double[]> g = new LinkedHashMap<>();
      r.gradients().forEach((name, x) -> g.put(name, values(x)));
      return new Outcome(r.loss(), r.parts(), g);
    }

    static Outcome of(TorchResult r) {
      Map<String, double[]> g = new LinkedHashMap<>();
      r.gradients().forEach((name, x) -> g.put(name, values(x)));
      return new Outcome(r.loss(), r.parts(), g);
    }

    void assertMatches(String who, Outcome actual) {
      assertTrue(
          relative(loss, actual.loss) <= TOLERANCE,
          who + ": loss " + actual.loss + ", expected " + loss);
      assertEquals(parts.keySet(), actual.parts.keySet(), who + ": part names");
      parts.forEach(
          (name, value) ->
              assertTrue(
                  relative(value, actual.parts.get(name)) <= TOLERANCE,
                  who + ": part " + name + " " + actual.parts.get(name) + ", expected " + value));
      assertEquals(gradients.keySet(), actual.gradients.keySet(), who + ": gradient names");
      gradients.forEach(
          (name, g) -> {
            double[] other = actual.gradients.get(name);
            assertEquals(g.length, other.length, who + ": size of gradient " + name);
            assertTrue(
                maxRelative(g, other) <= TOLERANCE,
                who + ": gradient " + name + " off by " + maxRelative(g, other)
                    + " relative to its largest entry");
          });
    }
  }

  private static double[] values(INDArray x) {
    return Nd4j.toFlattened('c', x).toDoubleVector();
  }

  private static double[] values(NDArray x) {
    float[] f = x.toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  private static double relative(double expected, double actual) {
    return Math.abs(expected - actual) / Math.max(Math.abs(expected), 1e-6);
  }

  /**
   * Largest deviation relative to the largest expected entry; an all-zero expectation (an unused map)
   * must be matched exactly.
   */
  private static double maxRelative(double[] expected, double[] actual) {
    double scale = Arrays.stream(expected).map(Math::abs).max().orElse(0);
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    if (scale == 0) {
      return worst == 0 ? 0 : Double.POSITIVE_INFINITY;
    }
    return worst / scale;
  }
}

package dev.contrastive.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeded random features, handed to ND4J and PyTorch as the same float values, so every
 * implementation scores identical inputs.
 */
public final class RandomInputs {

  private RandomInputs() {}

  /** {@code count} standard-normal floats from a stream seeded with {@code seed}. */
  public static float[] gaussian(long seed, long count) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] values = new float[Math.toIntExact(count)];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) gaussian(rng);
    }
    return values;
  }

  /** A C-order FLOAT ND4J array holding {@code values}. */
  public static INDArray nd4j(float[] values, long... shape) {
    return Nd4j.create(values, shape, 'c');
  }

  /** A float32 PyTorch array holding {@code values}, owned by {@code manager}. */
  public static NDArray torch(NDManager manager, float[] values, long... shape) {
    return manager.create(values, new Shape(shape));
  }

  /** Product of the dimensions. */
  public static long count(long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  private static double gaussian(SplittableRandom rng) {
    // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
    double u = 1.0 - rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
  }
}

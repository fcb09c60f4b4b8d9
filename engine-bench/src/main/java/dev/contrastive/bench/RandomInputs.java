package dev.contrastive.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
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

    /** InfoNCE views A and B of (batch, dim): A from {@code seed}, B from {@code seed + 1}. */
    static InfoNceViews infoNceViews(long seed, int batch, int dim) {
        long count = (long) batch * dim;
        return new InfoNceViews(nd4j(gaussian(seed, count), batch, dim), nd4j(gaussian(seed + 1, count), batch, dim));
    }

    /** ND4J InfoNCE views A and B, closed together. */
    record InfoNceViews(INDArray a, INDArray b) implements AutoCloseable {

        @Override
        public void close() {
            a.close();
            b.close();
        }
    }

    /**
     * AMDIM views A and B, each holding r1 and one target map: A's r1 from {@code seed}, B's from
     * {@code seed + 1}, the target maps from {@code seed + 2} and {@code seed + 3}.
     */
    static AmdimViews amdimViews(long seed, long[] r1, String target, long[] targetShape) {
        Map<String, INDArray> viewA = new LinkedHashMap<>();
        Map<String, INDArray> viewB = new LinkedHashMap<>();
        viewA.put("r1", nd4j(gaussian(seed, count(r1)), r1));
        viewB.put("r1", nd4j(gaussian(seed + 1, count(r1)), r1));
        viewA.put(target, nd4j(gaussian(seed + 2, count(targetShape)), targetShape));
        viewB.put(target, nd4j(gaussian(seed + 3, count(targetShape)), targetShape));
        return new AmdimViews(viewA, viewB);
    }

    /** ND4J AMDIM views A and B, map name to map, closed together. */
    record AmdimViews(Map<String, INDArray> a, Map<String, INDArray> b) implements AutoCloseable {

        @Override
        public void close() {
            a.values().forEach(INDArray::close);
            b.values().forEach(INDArray::close);
        }
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

package dev.contrastive.core.loss.reference;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A dense float64 tensor in row-major (C) order: the only data structure the reference losses use,
 * so that no ND4J code takes part in the reference math.
 *
 * <p>Feature maps are (B, D, H, W) or (B, D); element (b, d, l) of a map, with location l = h * W +
 * w, lies at {@code (b * D + d) * L + l} where L = H * W (1 for a (B, D) map).
 */
public record Tensor64(double[] data, long[] shape) {

    public Tensor64 {
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= s;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
        shape = shape.clone();
    }

    public static Tensor64 zeros(long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return new Tensor64(new double[Math.toIntExact(n)], shape);
    }

    /** Exact copy of an ND4J array (FLOAT values widen to double without rounding). */
    public static Tensor64 of(INDArray x) {
        return new Tensor64(x.castTo(DataType.DOUBLE).dup('c').data().asDouble(), x.shape());
    }

    /** The same values as an ND4J array of the given type (rounded when the type is FLOAT). */
    public INDArray toNd4j(DataType type) {
        return Nd4j.create(data.clone(), shape.clone(), 'c').castTo(type);
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return Math.toIntExact(shape[i]);
    }

    /**
     * A deep copy, so that finite differences can perturb one element without touching the original.
     */
    public Tensor64 copy() {
        return new Tensor64(data.clone(), shape);
    }

    /** Number of spatial locations of a (B, D) or (B, D, H, W) map. */
    public int locations() {
        if (rank() == 2) {
            return 1;
        }
        if (rank() == 4) {
            return dim(2) * dim(3);
        }
        throw new IllegalArgumentException("a map has shape (B, D) or (B, D, H, W), got " + Arrays.toString(shape));
    }

    /** Flat index of map element (b, d, l). */
    public int mapIndex(int b, int d, int l) {
        return (b * dim(1) + d) * locations() + l;
    }

    public double maxAbs() {
        double m = 0;
        for (double v : data) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @Override
    public String toString() {
        return "Tensor64" + Arrays.toString(shape);
    }
}

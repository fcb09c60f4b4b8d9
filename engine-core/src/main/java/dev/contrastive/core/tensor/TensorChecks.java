package dev.contrastive.core.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Condition;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Input validation shared by every public entry point: one IllegalArgumentException naming the
 * tensor, its shape and what was expected.
 */
public final class TensorChecks {

    private TensorChecks() {}

    /** The array must exist, be floating point and have the given rank. */
    public static void requireRank(String name, INDArray x, int rank, String layout) {
        requirePresent(name, x);
        if (x.rank() != rank) {
            throw shapeError(name, x, " (rank " + x.rank() + "), expected rank " + rank + " " + layout);
        }
    }

    /** The array must exist and be FLOAT or DOUBLE. */
    public static void requirePresent(String name, INDArray x) {
        if (x == null) {
            throw new IllegalArgumentException(name + " is missing");
        }
        if (x.dataType() != DataType.FLOAT && x.dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException(name
                    + " has data type "
                    + x.dataType()
                    + " and shape "
                    + Arrays.toString(x.shape())
                    + ", expected FLOAT or DOUBLE");
        }
    }

    /** Dimension {@code dim} of {@code x} must equal {@code expected}; {@code what} says why. */
    public static void requireDim(String name, INDArray x, int dim, long expected, String what) {
        if (x.size(dim) != expected) {
            throw shapeError(name, x, ", expected dimension " + dim + " = " + expected + " (" + what + ")");
        }
    }

    /** {@code x} must be given and have the shape of {@code reference}, named {@code referenceName}. */
    public static void requireSameShape(String name, INDArray x, String referenceName, INDArray reference) {
        if (x == null || !Arrays.equals(x.shape(), reference.shape())) {
            String problem = ", expected the shape of " + referenceName + ": " + Arrays.toString(reference.shape());
            throw x == null
                    ? new IllegalArgumentException(name + " has shape none" + problem)
                    : shapeError(name, x, problem);
        }
    }

    /** {@code x} must have the same data type as {@code reference}, named {@code referenceName}. */
    public static void requireSameType(String name, INDArray x, String referenceName, INDArray reference) {
        if (x.dataType() != reference.dataType()) {
            throw new IllegalArgumentException(name
                    + " has data type "
                    + x.dataType()
                    + " and shape "
                    + Arrays.toString(x.shape())
                    + ", expected "
                    + reference.dataType()
                    + " like "
                    + referenceName);
        }
    }

    /** Every element must be finite: NaN or Inf in features poisons every score of the batch. */
    public static void requireFinite(String name, INDArray x) {
        if (x.isEmpty()) {
            throw shapeError(name, x, ", expected a non-empty tensor");
        }
        // One reduction decides the common case: a sum is finite only if every term is (or it
        // overflowed, which the exact counts below then clear).
        if (Double.isFinite(x.sumNumber().doubleValue())) {
            return;
        }
        long nan = count(x, Conditions.isNan());
        long inf = count(x, Conditions.isInfinite());
        if (nan + inf > 0) {
            throw new IllegalArgumentException(name
                    + " with shape "
                    + Arrays.toString(x.shape())
                    + " has "
                    + nan
                    + " NaN and "
                    + inf
                    + " infinite values, expected finite features");
        }
    }

    /** How many elements of {@code x} are NaN or infinite. */
    public static long nonFiniteCount(INDArray x) {
        // As in requireFinite: one reduction clears the common case.
        if (x.isEmpty() || Double.isFinite(x.sumNumber().doubleValue())) {
            return 0;
        }
        return count(x, Conditions.isNan()) + count(x, Conditions.isInfinite());
    }

    /** "{@code name} has shape [...]", followed by what is wrong with it. */
    private static IllegalArgumentException shapeError(String name, INDArray x, String problem) {
        return new IllegalArgumentException(name + " has shape " + Arrays.toString(x.shape()) + problem);
    }

    private static long count(INDArray x, Condition condition) {
        try (INDArray matches = Nd4j.getExecutioner().exec(new MatchCondition(x, condition))) {
            return matches.getLong(0);
        }
    }
}

package dev.contrastive.models.encoder;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-tensor relative error {@code max|a - b| / max|b|} between two implementations.
 *
 * <p>Some gradients are exactly zero by structure: a per-channel bias that feeds straight into
 * batch norm (the 7x7 stage's batch norm bias, the FakeRKHSConvNet shortcut biases) is cancelled by
 * the normalisation, so both sides hold only rounding noise and a relative error would be noise
 * over noise. A tensor whose reference is below {@link #ZERO} times the model's largest gradient is
 * checked as zero instead: both sides must be below that bound.
 */
final class RelativeError {

    /** Relative to the model's largest gradient, what counts as a structural zero. */
    static final double ZERO = 1e-5;

    private RelativeError() {}

    static double error(INDArray actual, INDArray expected) {
        INDArray a = actual.castTo(DataType.DOUBLE).reshape(expected.shape());
        INDArray b = expected.castTo(DataType.DOUBLE);
        return a.sub(b).amaxNumber().doubleValue() / Math.max(b.amaxNumber().doubleValue(), Double.MIN_NORMAL);
    }

    /**
     * @param largest the largest |gradient| over the model (0 for outputs: no structural zeros)
     * @return the relative error, or 0 for a structural zero that passed
     */
    static double check(String what, INDArray actual, INDArray expected, double largest, double tol) {
        assertTrue(expected != null, what + " missing from the reference result");
        double zero = ZERO * largest;
        if (expected.amaxNumber().doubleValue() < zero) {
            double a = actual.amaxNumber().doubleValue();
            assertTrue(a < zero, what + ": reference is a structural zero but |actual| reaches " + a);
            return 0;
        }
        double err = error(actual, expected);
        assertTrue(err <= tol, what + ": relative error " + err + " > " + tol);
        return err;
    }

    /** The largest |value| over the tensors. */
    static double largest(Collection<INDArray> tensors) {
        double m = 0;
        for (INDArray t : tensors) {
            m = Math.max(m, t.amaxNumber().doubleValue());
        }
        return m;
    }
}

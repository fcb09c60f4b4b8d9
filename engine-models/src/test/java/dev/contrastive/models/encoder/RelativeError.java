package dev.contrastive.models.encoder;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.models.nn.Parameters;
import java.util.Collection;
import java.util.Map;
import java.util.function.Function;
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

    /**
     * Each output of {@code actual} against {@code expected}'s of its name (outputs have no
     * structural zeros).
     *
     * @return the worst relative error
     */
    static double checkOutputs(Map<String, INDArray> actual, Map<String, INDArray> expected, double tol) {
        double worst = 0;
        for (Map.Entry<String, INDArray> e : actual.entrySet()) {
            worst = Math.max(worst, check(e.getKey(), e.getValue(), expected.get(e.getKey()), 0, tol));
        }
        return worst;
    }

    /**
     * The gradient of each trainable tensor of {@code model}, by name, {@code actual} against {@code
     * expected}, structural zeros judged against the largest of {@code model}'s gradients.
     *
     * @return the worst relative error
     */
    static double checkGradients(
            Parameters model, Function<String, INDArray> actual, Function<String, INDArray> expected, double tol) {
        double largest =
                largest(model.trainable().stream().map(Parameters.Tensor::grad).toList());
        double worst = 0;
        for (Parameters.Tensor t : model.trainable()) {
            String n = t.name();
            worst = Math.max(worst, check("d " + n, actual.apply(n), expected.apply(n), largest, tol));
        }
        return worst;
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

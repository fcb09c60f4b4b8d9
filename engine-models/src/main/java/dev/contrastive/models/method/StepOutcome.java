package dev.contrastive.models.method;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one batch gave.
 *
 * @param loss the total loss
 * @param parts the named terms whose sum is the loss, in the loss's order
 * @param accuracy strict NCE accuracy: the fraction of positives scored above every negative
 * @param gradNorm global L2 norm of the gradients; NaN from {@link Method#evaluate}
 * @param features view A's probe features (B, featureDim), detached (nothing flows back from them),
 *     for the online evaluator; valid as the arrays of the call that returned them
 */
public record StepOutcome(double loss, Map<String, Double> parts, double accuracy, double gradNorm, INDArray features) {

    public StepOutcome {
        parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
    }
}

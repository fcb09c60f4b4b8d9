package dev.contrastive.models.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The scalars of one finished optimiser step.
 *
 * @param step the step number, from 1
 * @param epoch the epoch its batch came from, from 0
 * @param loss the total loss
 * @param parts the named terms whose sum is the loss (each comparison, and the regulariser)
 * @param accuracy NCE accuracy: the fraction of positives scored above every negative
 * @param learningRate the rate this step's update used
 * @param gradNorm the global L2 norm of the gradients before any clipping
 * @param stepsPerSecond the inverse of this step's wall time, data wait included
 * @param onlineAccuracy the online evaluator's accuracy on this batch before its update; NaN when
 *     there is no online evaluator
 */
public record StepMetrics(
        long step,
        int epoch,
        double loss,
        Map<String, Double> parts,
        double accuracy,
        double learningRate,
        double gradNorm,
        double stepsPerSecond,
        double onlineAccuracy) {

    public StepMetrics {
        // Kept in the loss's order, so that writers of columns get a stable one.
        parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
    }

    /**
     * The scalars as logged: {@code train/...} names, the loss's parts as {@code train/loss_<part>}.
     */
    public Map<String, Double> scalars() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("train/loss", loss);
        parts.forEach((name, value) -> s.put("train/loss_" + name, value));
        s.put("train/nce_acc", accuracy);
        if (!Double.isNaN(onlineAccuracy)) {
            s.put("train/online_acc", onlineAccuracy);
        }
        s.put("train/lr", learningRate);
        s.put("train/grad_norm", gradNorm);
        s.put("train/steps_per_s", stepsPerSecond);
        return s;
    }
}

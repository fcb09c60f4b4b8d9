package dev.contrastive.models.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One validation: means over the validation batches, with the encoder in evaluation mode.
 *
 * @param step the optimiser step after which it ran
 * @param loss mean contrastive loss
 * @param accuracy mean strict NCE accuracy
 * @param onlineAccuracy the online evaluator's accuracy on the validation images (NaN without one)
 * @param images validation images seen
 */
public record ValidationMetrics(long step, double loss, double accuracy, double onlineAccuracy, long images) {

    /** The scalars as logged, named as {@link EarlyStopping.Monitor#metric()} names them. */
    public Map<String, Double> scalars() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put(EarlyStopping.Monitor.VAL_LOSS.metric(), loss);
        s.put(EarlyStopping.Monitor.VAL_NCE_ACCURACY.metric(), accuracy);
        if (!Double.isNaN(onlineAccuracy)) {
            s.put(EarlyStopping.Monitor.VAL_ONLINE_ACCURACY.metric(), onlineAccuracy);
        }
        return s;
    }

    /** The value {@code monitor} watches. */
    public double value(EarlyStopping.Monitor monitor) {
        return switch (monitor) {
            case VAL_LOSS -> loss;
            case VAL_NCE_ACCURACY -> accuracy;
            case VAL_ONLINE_ACCURACY -> onlineAccuracy;
        };
    }
}

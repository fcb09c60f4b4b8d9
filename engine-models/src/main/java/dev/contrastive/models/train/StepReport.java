package dev.contrastive.models.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One finished step as the listeners see it: its metrics, the epoch's means when the step ended an
 * epoch, and the validation when one ran after it.
 *
 * @param metrics the step's scalars
 * @param epochMeans {@code epoch/*} means over the epoch's steps when this step ended it, else
 *     empty
 * @param validation the validation that ran after this step, if one did
 */
public record StepReport(StepMetrics metrics, Map<String, Double> epochMeans, Optional<ValidationMetrics> validation) {

    public StepReport {
        epochMeans = Collections.unmodifiableMap(new LinkedHashMap<>(epochMeans));
    }

    /**
     * Every scalar of the step under its logged name ({@code train/*}, {@code epoch/*}, {@code
     * val/*}).
     */
    public Map<String, Double> scalars() {
        Map<String, Double> s = metrics.scalars();
        s.putAll(epochMeans);
        validation.ifPresent(v -> s.putAll(v.scalars()));
        return s;
    }
}

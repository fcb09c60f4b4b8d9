package dev.contrastive.models.train;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies an {@link EarlyStopping} rule to the run's validations and asks the trainer to stop; its
 * best value and count are checkpointed, so a resumed run stops where the uninterrupted one would,
 * and a rerun of a run that stopped early does nothing.
 */
final class EarlyStopper implements TrainingListener {

    private static final Logger LOG = LoggerFactory.getLogger(EarlyStopper.class);
    private static final String STATE = "earlyStopping";

    private final EarlyStopping rule;
    private double best = Double.NaN;
    private long withoutImprovement;
    private boolean stopped;

    EarlyStopper(EarlyStopping rule) {
        this.rule = rule;
    }

    @Override
    public void onStep(StepReport report) {
        if (!rule.enabled() || report.validation().isEmpty()) {
            return;
        }
        double value = report.validation().get().value(rule.monitor());
        if (rule.improves(value, best)) {
            best = value;
            withoutImprovement = 0;
        } else if (++withoutImprovement >= rule.patience()) {
            stopped = true;
            LOG.info(
                    "early stopping at step {}: {} has not improved on {} for {} validations",
                    report.metrics().step(),
                    rule.monitor().metric(),
                    best,
                    withoutImprovement);
        }
    }

    @Override
    public boolean stopRequested() {
        return stopped;
    }

    @Override
    public Map<String, long[]> checkpointState() {
        return Map.of(STATE, new long[] {Double.doubleToRawLongBits(best), withoutImprovement, stopped ? 1 : 0});
    }

    @Override
    public void restoreState(Map<String, long[]> state) {
        long[] s = state.get(STATE);
        if (s == null || s.length != 3) {
            throw new IllegalArgumentException(
                    "checkpoint lacks the '" + STATE + "' (3) counters of a trainer checkpoint");
        }
        best = Double.longBitsToDouble(s[0]);
        withoutImprovement = s[1];
        stopped = s[2] == 1;
    }
}

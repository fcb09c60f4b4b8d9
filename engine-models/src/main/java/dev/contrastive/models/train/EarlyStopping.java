package dev.contrastive.models.train;

/**
 * Stops training when a validation metric has not improved for {@code patience} validations in a
 * row, as Lightning's {@code EarlyStopping} callback does.
 *
 * @param monitor the validation metric watched
 * @param patience validations without improvement before stopping, in [0, 10^6]; 0 turns early
 *     stopping off
 * @param minDelta the least change in the monitored direction that counts as an improvement, >= 0
 */
public record EarlyStopping(Monitor monitor, int patience, double minDelta) {

    /** A validation metric and the direction in which it improves. */
    public enum Monitor {
        /** Mean contrastive loss over the validation batches; lower is better. */
        VAL_LOSS("val/loss", false),
        /** Mean strict NCE accuracy over the validation batches; higher is better. */
        VAL_NCE_ACCURACY("val/nce_acc", true),
        /** The online evaluator's accuracy on the validation images; higher is better. */
        VAL_ONLINE_ACCURACY("val/online_acc", true);

        private final String metric;
        private final boolean higherIsBetter;

        Monitor(String metric, boolean higherIsBetter) {
            this.metric = metric;
            this.higherIsBetter = higherIsBetter;
        }

        /** The scalar's name in the metrics CSV and TensorBoard. */
        public String metric() {
            return metric;
        }

        public boolean higherIsBetter() {
            return higherIsBetter;
        }
    }

    public EarlyStopping {
        if (monitor == null) {
            throw new IllegalArgumentException("earlyStopping.monitor must be one of VAL_LOSS, "
                    + "VAL_NCE_ACCURACY, VAL_ONLINE_ACCURACY, got null");
        }
        if (patience < 0 || patience > 1_000_000) {
            throw new IllegalArgumentException(
                    "earlyStopping.patience must be in [0, 1000000] (0 = off), got " + patience);
        }
        if (!(minDelta >= 0 && Double.isFinite(minDelta))) {
            throw new IllegalArgumentException("earlyStopping.minDelta must be finite and >= 0, got " + minDelta);
        }
    }

    /** No early stopping. */
    public static EarlyStopping off() {
        return new EarlyStopping(Monitor.VAL_LOSS, 0, 0);
    }

    public boolean enabled() {
        return patience > 0;
    }

    /**
     * Whether {@code value} improves on {@code best} by more than {@code minDelta}; any value beats
     * NaN.
     */
    public boolean improves(double value, double best) {
        if (Double.isNaN(best)) {
            return !Double.isNaN(value);
        }
        return monitor.higherIsBetter ? value > best + minDelta : value < best - minDelta;
    }
}

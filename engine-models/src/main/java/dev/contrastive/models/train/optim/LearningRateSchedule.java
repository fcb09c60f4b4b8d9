package dev.contrastive.models.train.optim;

/**
 * How the learning rate changes over a run, as a factor of the one base rate, {@link
 * AdamOptions#lr()}: update {@code t} (counted from 1, as {@link Adam} counts) uses {@code lr *
 * factor(t)}. The rate itself lives in one place only; a schedule is its shape.
 *
 * <p>Warm-up composes with the others: {@code new WarmUp(500, new Cosine(0, total))} multiplies the
 * cosine factor by the warm-up ramp. The inner schedule is evaluated at the same {@code t}, not at
 * {@code t - warmUp}, so a total step count means the same with or without warm-up.
 */
public sealed interface LearningRateSchedule {

    /** The factor of update {@code step}, for {@code step >= 1}, in [0, 1]. */
    double factor(long step);

    /** The full rate at every step. */
    static LearningRateSchedule constant() {
        return new Constant();
    }

    /** AMDIM's published schedule: a linear 500-step warm-up, then constant. */
    static LearningRateSchedule amdim() {
        return new WarmUp(500, new Constant());
    }

    /** The full rate at every step. */
    record Constant() implements LearningRateSchedule {
        @Override
        public double factor(long step) {
            requireStep(step);
            return 1.0;
        }
    }

    /**
     * Linear ramp {@code min(1, t / steps)} times {@code after.factor(t)}: update 1 gets {@code
     * 1/steps} of the rate, update {@code steps} and later the full rate, as in AMDIM's {@code min(1,
     * (n_updates + 1) / 500)} with its 0-based update counter.
     */
    record WarmUp(long steps, LearningRateSchedule after) implements LearningRateSchedule {
        public WarmUp {
            if (steps < 1) {
                throw new IllegalArgumentException("warmUp.steps must be >= 1, got " + steps);
            }
            if (after == null) {
                throw new IllegalArgumentException("warmUp.after must be a schedule, got null");
            }
        }

        @Override
        public double factor(long step) {
            requireStep(step);
            return Math.min(1.0, (double) step / steps) * after.factor(step);
        }
    }

    /**
     * {@code gamma^floor((t - 1) / every)}: updates 1..every get the full rate, the next {@code
     * every} get {@code gamma} of it, and so on (torch's StepLR with {@code step_size=every} stepped
     * once per update).
     */
    record StepDecay(double gamma, long every) implements LearningRateSchedule {
        public StepDecay {
            if (!(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("stepDecay.gamma must be in (0, 1], got " + gamma);
            }
            if (every < 1) {
                throw new IllegalArgumentException("stepDecay.every must be >= 1, got " + every);
            }
        }

        @Override
        public double factor(long step) {
            requireStep(step);
            return Math.pow(gamma, (step - 1) / every);
        }
    }

    /**
     * Cosine from the full rate at update 1 to {@code floor} of it at update {@code totalSteps}, then
     * {@code floor}: {@code floor + (1 - floor) * (1 + cos(pi * (t - 1) / (totalSteps - 1))) / 2}.
     * Counting from update 1 rather than 0 makes the first update use the full rate and the last
     * planned one the floor exactly.
     */
    record Cosine(double floor, long totalSteps) implements LearningRateSchedule {
        public Cosine {
            if (!(floor >= 0 && floor <= 1)) {
                throw new IllegalArgumentException(
                        "cosine.floor must be in [0, 1] (a fraction of the rate), got " + floor);
            }
            if (totalSteps < 2) {
                throw new IllegalArgumentException("cosine.totalSteps must be >= 2, got " + totalSteps);
            }
        }

        @Override
        public double factor(long step) {
            requireStep(step);
            double progress = Math.min(1.0, (double) (step - 1) / (totalSteps - 1));
            return floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
        }
    }

    private static void requireStep(long step) {
        if (step < 1) {
            throw new IllegalArgumentException("schedule step must be >= 1 (updates count from 1), got " + step);
        }
    }
}

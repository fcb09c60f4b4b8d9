package dev.contrastive.models.train.optim;

/**
 * The learning rate of each update. {@code rate(t)} is the rate of update number {@code t}, counted
 * from 1 as {@link Adam} counts it: {@code adam.step(params, schedule.rate(adam.stepCount() + 1))}.
 *
 * <p>Warm-up composes with the others: {@code new WarmUp(500, new Cosine(...))} multiplies the
 * cosine rate by the warm-up ramp. The inner schedule is evaluated at the same {@code t}, not at
 * {@code t - warmUp}, so a total step count means the same with or without warm-up.
 */
public sealed interface LearningRateSchedule {

  /** The rate of update {@code step}, for {@code step >= 1}. */
  double rate(long step);

  /** AMDIM's published schedule: lr 2e-4 with a linear 500-step warm-up, then constant. */
  static LearningRateSchedule amdim() {
    return new WarmUp(500, new Constant(AdamOptions.amdim().lr()));
  }

  /** The same rate at every step. */
  record Constant(double lr) implements LearningRateSchedule {
    public Constant {
      requireRate("constant.lr", lr);
    }

    @Override
    public double rate(long step) {
      requireStep(step);
      return lr;
    }
  }

  /**
   * Linear ramp {@code min(1, t / steps)} times {@code after.rate(t)}: update 1 gets
   * {@code 1/steps} of the rate, update {@code steps} and later the full rate, as in AMDIM's
   * {@code min(1, (n_updates + 1) / 500)} with its 0-based update counter.
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
    public double rate(long step) {
      requireStep(step);
      return Math.min(1.0, (double) step / steps) * after.rate(step);
    }
  }

  /**
   * {@code lr * gamma^floor((t - 1) / every)}: updates 1..every get {@code lr}, the next
   * {@code every} get {@code lr * gamma}, and so on (torch's StepLR with {@code step_size=every}
   * stepped once per update).
   */
  record StepDecay(double lr, double gamma, long every) implements LearningRateSchedule {
    public StepDecay {
      requireRate("stepDecay.lr", lr);
      if (!(gamma > 0 && gamma <= 1)) {
        throw new IllegalArgumentException("stepDecay.gamma must be in (0, 1], got " + gamma);
      }
      if (every < 1) {
        throw new IllegalArgumentException("stepDecay.every must be >= 1, got " + every);
      }
    }

    @Override
    public double rate(long step) {
      requireStep(step);
      return lr * Math.pow(gamma, (step - 1) / every);
    }
  }

  /**
   * Cosine from {@code lr} at update 1 to {@code floor} at update {@code totalSteps}, then
   * {@code floor}: {@code floor + (lr - floor) * (1 + cos(pi * (t - 1) / (totalSteps - 1))) / 2}.
   * Counting from update 1 rather than 0 makes the first update use the full rate and the last
   * planned one the floor exactly.
   */
  record Cosine(double lr, double floor, long totalSteps) implements LearningRateSchedule {
    public Cosine {
      requireRate("cosine.lr", lr);
      if (!(floor >= 0 && floor <= lr)) {
        throw new IllegalArgumentException("cosine.floor must be in [0, lr=" + lr + "], got " + floor);
      }
      if (totalSteps < 2) {
        throw new IllegalArgumentException("cosine.totalSteps must be >= 2, got " + totalSteps);
      }
    }

    @Override
    public double rate(long step) {
      requireStep(step);
      double progress = Math.min(1.0, (double) (step - 1) / (totalSteps - 1));
      return floor + (lr - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
  }

  private static void requireRate(String field, double lr) {
    if (!(lr > 0 && Double.isFinite(lr))) {
      throw new IllegalArgumentException(field + " must be finite and > 0, got " + lr);
    }
  }

  private static void requireStep(long step) {
    if (step < 1) {
      throw new IllegalArgumentException("schedule step must be >= 1 (updates count from 1), got " + step);
    }
  }
}

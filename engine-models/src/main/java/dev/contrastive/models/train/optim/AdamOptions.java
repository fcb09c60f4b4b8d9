package dev.contrastive.models.train.optim;

/**
 * Hyper-parameters of {@link Adam}.
 *
 * @param lr the learning rate, the only one: a {@link LearningRateSchedule} gives each step's factor
 *     of it, and {@link Adam#step} takes the product
 * @param beta1 decay of the first-moment average, in [0, 1)
 * @param beta2 decay of the second-moment average, in [0, 1)
 * @param eps added to the bias-corrected root of the second moment, > 0
 * @param weightDecay coefficient, >= 0; 0 turns it off
 * @param decoupled true: AdamW, parameters shrink by {@code lr * weightDecay} apart from the
 *     adaptive step; false: {@code weightDecay * param} is added to the gradient before the
 *     moments, as {@code torch.optim.Adam(weight_decay=...)} does (and as AMDIM trained)
 * @param maxGradNorm clip the global L2 norm of all gradients to this, > 0; 0 turns clipping off
 */
public record AdamOptions(
    double lr,
    double beta1,
    double beta2,
    double eps,
    double weightDecay,
    boolean decoupled,
    double maxGradNorm) {

  public AdamOptions {
    // Written as !(x in range) so that NaN fails every check.
    if (!(lr > 0 && Double.isFinite(lr))) {
      throw new IllegalArgumentException("adam.lr must be finite and > 0, got " + lr);
    }
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new IllegalArgumentException("adam.beta1 must be in [0, 1), got " + beta1);
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("adam.beta2 must be in [0, 1), got " + beta2);
    }
    if (!(eps > 0 && Double.isFinite(eps))) {
      throw new IllegalArgumentException("adam.eps must be finite and > 0, got " + eps);
    }
    if (!(weightDecay >= 0 && Double.isFinite(weightDecay))) {
      throw new IllegalArgumentException("adam.weightDecay must be finite and >= 0, got " + weightDecay);
    }
    if (!(maxGradNorm >= 0 && Double.isFinite(maxGradNorm))) {
      throw new IllegalArgumentException(
          "adam.maxGradNorm must be finite and >= 0 (0 = no clipping), got " + maxGradNorm);
    }
  }

  /**
   * The published AMDIM defaults: lr 2e-4, betas (0.8, 0.999), eps 1e-8, weight decay 1e-5 added
   * to the gradient (AMDIM uses {@code torch.optim.Adam}, not AdamW), no clipping. The 500-step
   * warm-up is the schedule's part: {@link LearningRateSchedule#amdim()}. For runs of minutes,
   * {@code withLr(1e-3)} with a short warm-up learns much faster (see docs/training.md).
   */
  public static AdamOptions amdim() {
    return new AdamOptions(2e-4, 0.8, 0.999, 1e-8, 1e-5, false, 0);
  }

  public AdamOptions withLr(double newLr) {
    return new AdamOptions(newLr, beta1, beta2, eps, weightDecay, decoupled, maxGradNorm);
  }

  public AdamOptions withWeightDecay(double newWeightDecay, boolean newDecoupled) {
    return new AdamOptions(lr, beta1, beta2, eps, newWeightDecay, newDecoupled, maxGradNorm);
  }

  public AdamOptions withMaxGradNorm(double newMaxGradNorm) {
    return new AdamOptions(lr, beta1, beta2, eps, weightDecay, decoupled, newMaxGradNorm);
  }
}

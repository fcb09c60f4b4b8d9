package dev.contrastive.models.train.optim;

import java.util.Objects;

/**
 * Hyper-parameters of {@link Adam}.
 *
 * <p>Made with {@link #builder()} (the published AMDIM defaults of {@link #amdim()}, each setting
 * named and validated where it is set), {@link #toBuilder()} or the {@code with...} methods.
 * Immutable.
 */
public final class AdamOptions {

    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;
    private final double maxGradNorm;

    private AdamOptions(Builder b) {
        this.lr = b.lr;
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
        this.weightDecay = b.weightDecay;
        this.decoupled = b.decoupled;
        this.maxGradNorm = b.maxGradNorm;
    }

    /** A builder holding the published AMDIM defaults of {@link #amdim()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some of them. */
    public Builder toBuilder() {
        return new Builder()
                .lr(lr)
                .beta1(beta1)
                .beta2(beta2)
                .eps(eps)
                .weightDecay(weightDecay)
                .decoupled(decoupled)
                .maxGradNorm(maxGradNorm);
    }

    /**
     * The published AMDIM defaults: lr 2e-4, betas (0.8, 0.999), eps 1e-8, weight decay 1e-5 added to
     * the gradient (AMDIM uses {@code torch.optim.Adam}, not AdamW), no clipping. The 500-step
     * warm-up is the schedule's part: {@link LearningRateSchedule#amdim()}. For runs of minutes,
     * {@code withLr(1e-3)} with a short warm-up learns much faster (see docs/training.md).
     */
    public static AdamOptions amdim() {
        return builder().build();
    }

    /**
     * The learning rate, the only one: a {@link LearningRateSchedule} gives each step's factor of it,
     * and {@link Adam#step} takes the product.
     */
    public double lr() {
        return lr;
    }

    /** Decay of the first-moment average. */
    public double beta1() {
        return beta1;
    }

    /** Decay of the second-moment average. */
    public double beta2() {
        return beta2;
    }

    /** Added to the bias-corrected root of the second moment. */
    public double eps() {
        return eps;
    }

    /** Weight decay coefficient; 0 turns it off. */
    public double weightDecay() {
        return weightDecay;
    }

    /**
     * True: AdamW, parameters shrink by {@code lr * weightDecay} apart from the adaptive step; false:
     * {@code weightDecay * param} is added to the gradient before the moments, as {@code
     * torch.optim.Adam(weight_decay=...)} does (and as AMDIM trained).
     */
    public boolean decoupled() {
        return decoupled;
    }

    /** The global L2 norm of all gradients is clipped to this; 0 turns clipping off. */
    public double maxGradNorm() {
        return maxGradNorm;
    }

    public AdamOptions withLr(double newLr) {
        return toBuilder().lr(newLr).build();
    }

    public AdamOptions withWeightDecay(double newWeightDecay, boolean newDecoupled) {
        return toBuilder().weightDecay(newWeightDecay).decoupled(newDecoupled).build();
    }

    public AdamOptions withMaxGradNorm(double newMaxGradNorm) {
        return toBuilder().maxGradNorm(newMaxGradNorm).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AdamOptions a
                && Double.compare(lr, a.lr) == 0
                && Double.compare(beta1, a.beta1) == 0
                && Double.compare(beta2, a.beta2) == 0
                && Double.compare(eps, a.eps) == 0
                && Double.compare(weightDecay, a.weightDecay) == 0
                && decoupled == a.decoupled
                && Double.compare(maxGradNorm, a.maxGradNorm) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(lr, beta1, beta2, eps, weightDecay, decoupled, maxGradNorm);
    }

    @Override
    public String toString() {
        return "AdamOptions[lr="
                + lr
                + ", beta1="
                + beta1
                + ", beta2="
                + beta2
                + ", eps="
                + eps
                + ", weightDecay="
                + weightDecay
                + ", decoupled="
                + decoupled
                + ", maxGradNorm="
                + maxGradNorm
                + "]";
    }

    /** Collects the options, each checked as it is set. */
    public static final class Builder {
        private double lr = 2e-4;
        private double beta1 = 0.8;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private double weightDecay = 1e-5;
        private boolean decoupled;
        private double maxGradNorm;

        private Builder() {}

        // Each check is written as !(x in range) so that NaN fails it.

        /** The learning rate, finite and > 0. */
        public Builder lr(double rate) {
            if (!(rate > 0 && Double.isFinite(rate))) {
                throw new IllegalArgumentException("adam.lr must be finite and > 0, got " + rate);
            }
            this.lr = rate;
            return this;
        }

        /** Decay of the first-moment average, in [0, 1). */
        public Builder beta1(double decay) {
            if (!(decay >= 0 && decay < 1)) {
                throw new IllegalArgumentException("adam.beta1 must be in [0, 1), got " + decay);
            }
            this.beta1 = decay;
            return this;
        }

        /** Decay of the second-moment average, in [0, 1). */
        public Builder beta2(double decay) {
            if (!(decay >= 0 && decay < 1)) {
                throw new IllegalArgumentException("adam.beta2 must be in [0, 1), got " + decay);
            }
            this.beta2 = decay;
            return this;
        }

        /** Added to the root of the second moment, finite and > 0. */
        public Builder eps(double epsilon) {
            if (!(epsilon > 0 && Double.isFinite(epsilon))) {
                throw new IllegalArgumentException("adam.eps must be finite and > 0, got " + epsilon);
            }
            this.eps = epsilon;
            return this;
        }

        /** Weight decay coefficient, finite and >= 0; 0 turns it off. */
        public Builder weightDecay(double coefficient) {
            if (!(coefficient >= 0 && Double.isFinite(coefficient))) {
                throw new IllegalArgumentException("adam.weightDecay must be finite and >= 0, got " + coefficient);
            }
            this.weightDecay = coefficient;
            return this;
        }

        /**
         * AdamW's decoupled weight decay (true) or decay added to the gradient (false, the default).
         */
        public Builder decoupled(boolean on) {
            this.decoupled = on;
            return this;
        }

        /** Gradient clipping norm, finite and >= 0; 0 (the default) turns clipping off. */
        public Builder maxGradNorm(double norm) {
            if (!(norm >= 0 && Double.isFinite(norm))) {
                throw new IllegalArgumentException(
                        "adam.maxGradNorm must be finite and >= 0 (0 = no clipping), got " + norm);
            }
            this.maxGradNorm = norm;
            return this;
        }

        public AdamOptions build() {
            return new AdamOptions(this);
        }
    }
}

package dev.contrastive.models.nn;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Initial values, drawn from a caller-supplied {@link SplittableRandom} so that a seed fixes every
 * weight (the draws are consumed in declaration order).
 */
public final class Init {

    private Init() {}

    /**
     * torch.nn.init.kaiming_uniform_(w, a=sqrt(5)), torch's default for conv weights: gain sqrt(2 /
     * (1 + a^2)) = sqrt(1/3), bound gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in).
     */
    public static double[] kaimingUniformSqrt5(long n, long fanIn, SplittableRandom rnd) {
        return uniform(n, 1.0 / Math.sqrt(fanIn), rnd);
    }

    /** torch's default conv bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    public static double[] defaultBias(long n, long fanIn, SplittableRandom rnd) {
        return uniform(n, 1.0 / Math.sqrt(fanIn), rnd);
    }

    /** U(-bound, bound), n values. */
    public static double[] uniform(long n, double bound, SplittableRandom rnd) {
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (2 * rnd.nextDouble() - 1) * bound;
        }
        return v;
    }

    public static double[] constant(long n, double value) {
        double[] v = new double[Math.toIntExact(n)];
        Arrays.fill(v, value);
        return v;
    }
}

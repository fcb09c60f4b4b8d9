package dev.contrastive.models.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central finite differences for a scalar loss {@code L = sum(w * f(x))} with fixed random weights
 * w, against the analytic gradients of the module's backward pass. Float64 throughout.
 */
public final class GradCheck {

    private GradCheck() {}

    /** Random array in [-scale, scale) from a seeded generator, float64 unless told. */
    public static INDArray random(SplittableRandom rnd, double scale, long... shape) {
        return randomOf(DataType.DOUBLE, rnd, scale, shape);
    }

    public static INDArray randomOf(DataType type, SplittableRandom rnd, double scale, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (2 * rnd.nextDouble() - 1) * scale;
        }
        return Nd4j.createFromArray(v).reshape('c', shape).castTo(type);
    }

    /** One {@link #randomOf} array in [-1, 1) for each of {@code like}, of its shape, in order. */
    public static List<INDArray> randomLike(DataType type, SplittableRandom rnd, List<INDArray> like) {
        List<INDArray> out = new ArrayList<>();
        for (INDArray a : like) {
            out.add(randomOf(type, rnd, 1, a.shape()));
        }
        return out;
    }

    /** Largest |analytic - numeric| / max(1, |numeric|) over the probed entries. */
    public static double maxError(
            INDArray target, INDArray analytic, Supplier<Double> loss, int probes, SplittableRandom rnd, double eps) {
        double worst = 0;
        long n = target.length();
        INDArray flat = target.reshape(n);
        INDArray aFlat = analytic.reshape(n);
        for (int k = 0; k < Math.min(probes, n); k++) {
            long i = probes >= n ? k : rnd.nextLong(n);
            double orig = flat.getDouble(i);
            flat.putScalar(i, orig + eps);
            double plus = loss.get();
            flat.putScalar(i, orig - eps);
            double minus = loss.get();
            flat.putScalar(i, orig);
            double numeric = (plus - minus) / (2 * eps);
            if (k % 8 == 7) {
                // Closed ND4J arrays give their native memory back only after a GC (see Arena); without
                // this the resident set of a long check grows by every forward pass and the test crawls.
                System.gc();
            }
            double err = Math.abs(aFlat.getDouble(i) - numeric) / Math.max(1.0, Math.abs(numeric));
            worst = Math.max(worst, err);
        }
        return worst;
    }

    /**
     * Checks dx and every trainable parameter gradient of {@code module} at input {@code x}, probing
     * up to {@code probes} entries per tensor, and asserts the error is at most {@code tol}.
     *
     * @return the worst error seen
     */
    public static double check(
            Module module,
            Parameters params,
            Arena arena,
            INDArray x,
            boolean training,
            int probes,
            double tol,
            long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        INDArray y = module.forward(x, training);
        INDArray w = random(rnd, 1.0, y.shape());
        params.zeroGrad();
        INDArray dx = module.backward(w).dup();
        INDArray gradCopy = params.flatGrads().dup();
        Supplier<Double> loss = () -> {
            arena.clear();
            return module.forward(x, training).mul(w).sumNumber().doubleValue();
        };
        double worst = maxError(x, dx, loss, probes, rnd, 1e-6);
        assertTrue(worst <= tol, "input gradient error " + worst + " > " + tol);
        params.flatGrads().assign(gradCopy);
        for (Parameters.Tensor t : params.trainable()) {
            double e = maxError(t.value(), t.grad(), loss, probes, rnd, 1e-6);
            assertTrue(e <= tol, "gradient of " + t.name() + ": error " + e + " > " + tol);
            worst = Math.max(worst, e);
        }
        arena.clear();
        return worst;
    }
}

package dev.contrastive.models.train.optim;

import dev.contrastive.core.layers.NativeAdam;
import dev.contrastive.models.nn.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Norm2;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam and AdamW over the flat parameter arrays of one {@link Parameters}, updated in place.
 *
 * <p>Float32 on the CPU takes {@link NativeAdam}: the gradient norm (one ND4J reduction), then the
 * whole update in one native sweep. Otherwise one step is about a dozen whole-array ND4J ops on
 * {@code flatValues()}/{@code flatGrads()} and on arrays allocated once here (the two moments, one
 * scratch array, one scalar for the norm), in the parameters' data type. No op allocates a fresh
 * array: in ND4J M2.1 {@code close()} does not return native memory (see {@code nn.Arena}), so a
 * per-step temporary would be freed only by the garbage collector; everything writes into the
 * preallocated arrays instead.
 *
 * <p>The update is {@code torch.optim.Adam} / {@code torch.optim.AdamW} with {@code amsgrad=False,
 * maximize=False}, with {@code torch.nn.utils.clip_grad_norm_} applied first when {@link
 * AdamOptions#maxGradNorm()} is positive. One difference from the PyTorch recipe: the clipped
 * gradient goes to the scratch array, so {@code flatGrads()} still holds what the backward pass
 * wrote (the trainer's NaN check and gradient logging see the raw gradients).
 *
 * <p>Not thread-safe; one optimiser per {@link Parameters}.
 */
public final class Adam {

    /** Added to the norm before dividing, as {@code clip_grad_norm_} does, so a zero norm is safe. */
    private static final double CLIP_EPS = 1e-6;

    private final AdamOptions options;
    private final long length;
    private final INDArray m;
    private final INDArray v;
    private final INDArray scratch;
    private final INDArray norm;
    private long step;

    /** Allocates zero moments in the layout and data type of {@code params} (sealed). */
    public Adam(AdamOptions options, Parameters params) {
        this.options = options;
        INDArray values = params.flatValues();
        this.length = values.length();
        this.m = Nd4j.zeros(values.dataType(), length);
        this.v = Nd4j.zeros(values.dataType(), length);
        this.scratch = Nd4j.zeros(values.dataType(), length);
        this.norm = Nd4j.scalar(values.dataType(), 0);
    }

    public AdamOptions options() {
        return options;
    }

    /** Number of updates applied so far. */
    public long stepCount() {
        return step;
    }

    /**
     * Applies one update to {@code params.flatValues()} from {@code params.flatGrads()}.
     *
     * @param lr the learning rate of this step, normally {@code options.lr() *
     *     schedule.factor(stepCount() + 1)}
     * @return the global L2 norm of the gradients before clipping (computed whether or not clipping
     *     is on, since the trainer logs it)
     */
    public double step(Parameters params, double lr) {
        if (!(lr >= 0 && Double.isFinite(lr))) {
            throw new IllegalArgumentException("adam.step lr must be finite and >= 0, got " + lr);
        }
        INDArray p = params.flatValues();
        INDArray g = params.flatGrads();
        if (p.length() != length || p.dataType() != m.dataType()) {
            throw new IllegalArgumentException("adam was built for "
                    + length
                    + " "
                    + m.dataType()
                    + " parameters, got "
                    + p.length()
                    + " "
                    + p.dataType());
        }
        double b1 = options.beta1();
        double b2 = options.beta2();
        double wd = options.weightDecay();

        Nd4j.getExecutioner().exec(new Norm2(g, norm));
        double gradNorm = norm.getDouble(0);
        double scale = 1.0;
        if (options.maxGradNorm() > 0) {
            // clip_grad_norm_ multiplies by min(1, max / (norm + 1e-6)).
            scale = Math.min(1.0, options.maxGradNorm() / (gradNorm + CLIP_EPS));
        }
        step++;
        double bias1 = 1 - Math.pow(b1, step);
        double bias2Sqrt = Math.sqrt(1 - Math.pow(b2, step));
        if (NativeAdam.usable(p, g, m, v)) {
            NativeAdam.step(
                    p,
                    g,
                    m,
                    v,
                    (float) scale,
                    (float) (options.decoupled() ? 0 : wd),
                    (float) (options.decoupled() ? 1 - lr * wd : 1),
                    (float) b1,
                    (float) (1 - b1),
                    (float) b2,
                    (float) (1 - b2),
                    (float) bias2Sqrt,
                    (float) options.eps(),
                    (float) (lr / bias1));
            return gradNorm;
        }
        INDArray d = g.mul(scale, scratch);
        if (wd > 0 && !options.decoupled()) {
            axpy(wd, p, d); // torch.optim.Adam: grad = grad + wd * param
        }
        m.muli(b1);
        axpy(1 - b1, d, m);
        d.muli(d);
        v.muli(b2);
        axpy(1 - b2, d, v);
        if (wd > 0 && options.decoupled()) {
            p.muli(1 - lr * wd); // torch.optim.AdamW: param *= 1 - lr * wd, before the Adam step
        }
        // param -= lr / bias1 * m / (sqrt(v) / sqrt(bias2) + eps), in PyTorch's order of operations.
        d.assign(v);
        Transforms.sqrt(d, false);
        d.divi(bias2Sqrt).addi(options.eps()).rdivi(m);
        axpy(-lr / bias1, d, p);
        return gradNorm;
    }

    /** y += alpha * x in place (BLAS axpy); both contiguous and of this optimiser's length. */
    private void axpy(double alpha, INDArray x, INDArray y) {
        Nd4j.getBlasWrapper().level1().axpy(length, alpha, x, y);
    }

    /** Copies the step count and both moments out, for a checkpoint. */
    public AdamState exportState() {
        return new AdamState(step, m.toDoubleVector(), v.toDoubleVector());
    }

    /**
     * Replaces the step count and moments with a checkpoint's; the next {@link #step} then continues
     * exactly as the optimiser that exported them would have.
     */
    public void importState(AdamState state) {
        double[] newM = state.m();
        if (newM.length != length) {
            throw new IllegalArgumentException(
                    "adam state has " + newM.length + " moments but the parameters have " + length);
        }
        m.assign(Nd4j.createFromArray(newM));
        v.assign(Nd4j.createFromArray(state.v()));
        step = state.step();
    }
}

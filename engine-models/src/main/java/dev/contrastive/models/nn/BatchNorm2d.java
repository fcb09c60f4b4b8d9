package dev.contrastive.models.nn;

import dev.contrastive.core.layers.NativeLayers;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * torch.nn.BatchNorm2d(C, affine=True), eps 1e-5, momentum 0.1, optionally fused with the ReLU that
 * follows it ({@link #withRelu}).
 *
 * <p>Training: normalises with the batch mean and biased variance over (N, H, W) and updates the
 * running statistics with the unbiased variance, as torch does. Eval: normalises with the running
 * statistics. Backward is the analytic gradient for whichever mode the last forward used: training
 * {@code dx = gamma * invStd * (dy - mean(dy) - xhat * mean(dy * xhat))}, eval {@code dx = gamma *
 * invStd * dy}, with dy masked by the ReLU first when it is fused. Not libnd4j's {@code
 * batchnorm_bp}: SameDiff batch norm backprop has open bug reports in M2.1.
 *
 * <p>Two paths, chosen per forward call. Float32 contiguous NCHW input on the CPU backend ({@link
 * NativeLayers#usable}) takes the fused native kernels: statistics in one sweep, the affine (and
 * ReLU) in a second, backward in two; written with ND4J ops the same layer is about ten ops, each a
 * memory pass, plus a separate ReLU, and that made batch norm a large share of the AMDIM encoder's
 * time. Everything else (float64 gradient checks, other backends, the kernel switched off) takes
 * the ND4J reductions below, followed by a {@link Relu} module when the ReLU is fused. The
 * per-channel vectors (running statistics, scale, shift) are tiny and are computed in Java on the
 * native path.
 *
 * <p>Parameters: {@code name.weight} (gamma, 1), {@code name.bias} (beta, 0); buffers {@code
 * name.running_mean} (0), {@code name.running_var} (1). The fused ReLU adds none.
 */
public final class BatchNorm2d extends AffineNorm {

    public static final double EPS = 1e-5;
    public static final double MOMENTUM = 0.1;

    private final Parameters.Tensor runningMean;
    private final Parameters.Tensor runningVar;

    private boolean trainedLast;
    // Native path cache: y = relu?(scale * x + shift), recomputed for the mask in backward.
    private double[] mean;
    private double[] invStd;
    private float[] scale;
    private float[] shift;

    /** Batch norm without an activation. */
    public BatchNorm2d(Parameters params, Arena arena, String name, int channels) {
        this(params, arena, name, channels, false);
    }

    private BatchNorm2d(Parameters params, Arena arena, String name, int channels, boolean fusedRelu) {
        super("batch norm", params, arena, name, channels, fusedRelu);
        long[] shape = {channels};
        runningMean = params.declareBuffer(name + ".running_mean", shape, Init.constant(channels, 0));
        runningVar = params.declareBuffer(name + ".running_var", shape, Init.constant(channels, 1));
    }

    /** Batch norm followed by max(0, .), in one module: same parameters as the plain constructor. */
    public static BatchNorm2d withRelu(Parameters params, Arena arena, String name, int channels) {
        return new BatchNorm2d(params, arena, name, channels, true);
    }

    public Parameters.Tensor weight() {
        return gamma;
    }

    public Parameters.Tensor bias() {
        return beta;
    }

    @Override
    void beforeForward(INDArray x, boolean training) {
        if (training && x.length() / channels < 2) {
            // torch refuses too: the variance of one value is undefined and the output would be beta.
            throw new IllegalArgumentException(
                    "batch norm in training needs more than one value per channel, got shape "
                            + Arrays.toString(x.shape()));
        }
        trainedLast = training;
    }

    /** BatchNormalization on the running statistics. */
    @Override
    String emitNorm(OnnxGraph g, String input) {
        return g.op(
                        "BatchNormalization",
                        input,
                        g.weight(gamma),
                        g.weight(beta),
                        g.weight(runningMean),
                        g.weight(runningVar))
                .real("epsilon", (float) EPS)
                .output();
    }

    @Override
    void forwardNative(INDArray x, boolean training, INDArray y) {
        long m = x.length() / channels;
        double[] var;
        if (training) {
            mean = new double[channels];
            var = new double[channels];
            NativeLayers.batchStats(x, mean, var);
            INDArray rm = runningMean.value();
            INDArray rv = runningVar.value();
            for (int c = 0; c < channels; c++) {
                rm.putScalar(c, (1 - MOMENTUM) * rm.getDouble(c) + MOMENTUM * mean[c]);
                rv.putScalar(c, (1 - MOMENTUM) * rv.getDouble(c) + MOMENTUM * var[c] * m / (m - 1.0));
            }
        } else {
            mean = runningMean.value().toDoubleVector();
            var = runningVar.value().toDoubleVector();
        }
        double[] g = gamma.value().toDoubleVector();
        double[] b = beta.value().toDoubleVector();
        invStd = new double[channels];
        scale = new float[channels];
        shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            invStd[c] = 1 / Math.sqrt(var[c] + EPS);
            double s = g[c] * invStd[c];
            scale[c] = (float) s;
            shift[c] = (float) (b[c] - mean[c] * s);
        }
        NativeLayers.channelAffine(x, scale, shift, fusedRelu(), y);
    }

    @Override
    void backwardNative(INDArray dy, INDArray dx, double[] dGamma, double[] dBeta) {
        NativeLayers.batchNormBackward(
                input, dy, mean, invStd, scale, shift, fusedRelu(), trainedLast, dx, dGamma, dBeta);
    }

    @Override
    INDArray normalizeNd4j(INDArray x, boolean training) {
        INDArray centred;
        if (training) {
            long m = x.length() / channels;
            INDArray batchMean = arena.own(x.mean(0, 2, 3));
            centred = arena.own(Channels.sub(x, batchMean));
            INDArray sq = centred.mul(centred);
            INDArray var = arena.own(sq.mean(0, 2, 3));
            sq.close();
            runningMean.value().muli(1 - MOMENTUM).addi(batchMean.mul(MOMENTUM));
            runningVar.value().muli(1 - MOMENTUM).addi(var.mul(MOMENTUM * m / (m - 1.0)));
            invStdArray = arena.own(Transforms.pow(var.add(EPS), -0.5, false));
        } else {
            centred = arena.own(Channels.sub(x, runningMean.value()));
            invStdArray = arena.own(Transforms.pow(runningVar.value().add(EPS), -0.5, false));
        }
        return arena.own(Channels.mul(centred, invStdArray));
    }

    @Override
    INDArray backwardNd4j(INDArray dy) {
        try (AffineGradients p = addAffineGradients(dy)) {
            INDArray s = gamma.value().mul(invStdArray);
            INDArray dx;
            if (trainedLast) {
                double m = dy.length() / dy.size(1);
                INDArray meanDy = p.dBeta().div(m);
                INDArray meanDyXhat = p.dGamma().div(m);
                INDArray t1 = Channels.sub(dy, meanDy);
                INDArray t2 = Channels.mul(xhat, meanDyXhat);
                t1.subi(t2);
                dx = Channels.mul(t1, s);
                for (INDArray a : new INDArray[] {meanDy, meanDyXhat, t1, t2}) {
                    a.close();
                }
            } else {
                dx = Channels.mul(dy, s);
            }
            s.close();
            return arena.own(dx);
        }
    }
}

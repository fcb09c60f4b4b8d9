package dev.contrastive.models.nn;

import dev.contrastive.core.layers.NativeLayers;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Layer norm for conv features, CPC v2's replacement of batch norm: each sample normalised over (C,
 * H, W), then a per-channel affine, i.e. torch's {@code GroupNorm(1, C)}, eps 1e-5; optionally
 * fused with the ReLU that follows it ({@link #withRelu}). Per-sample statistics keep the patch
 * vectors of one image independent of the rest of the batch, which is why CPC v2 uses it. Same
 * computation in training and eval.
 *
 * <p>Backward: {@code dxhat = dy * gamma} (dy masked by the ReLU first when it is fused); {@code dx
 * = invStd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))} with the means per sample.
 *
 * <p>Two paths, chosen per forward call. Float32 contiguous NCHW input on the CPU backend ({@link
 * NativeLayers#usable}) takes the fused native kernels: statistics and output in one sweep per
 * sample, backward in two. The CPC encoder normalises thousands of small patches (e.g. (3136, 16,
 * 8, 8)), where the ND4J formulation (about ten ops, each a memory pass, plus a separate ReLU)
 * dominated the encoder's time. Everything else (float64 gradient checks, other backends, the
 * kernel switched off) takes the ND4J ops below, followed by a {@link Relu} module when the ReLU is
 * fused.
 *
 * <p>Parameters: {@code name.weight} (1), {@code name.bias} (0), shape (C). The fused ReLU adds
 * none.
 */
public final class LayerNorm extends AffineNorm {

    public static final double EPS = 1e-5;

    // Native path cache: per-sample statistics and the affine the forward used.
    private float[] mean;
    private float[] invStd;
    private float[] gammaUsed;
    private float[] betaUsed;

    /** Layer norm without an activation. */
    public LayerNorm(Parameters params, Arena arena, String name, int channels) {
        this(params, arena, name, channels, false);
    }

    private LayerNorm(Parameters params, Arena arena, String name, int channels, boolean fusedRelu) {
        super("layer norm", params, arena, name, channels, fusedRelu);
    }

    /** Layer norm followed by max(0, .), in one module: same parameters as the plain constructor. */
    public static LayerNorm withRelu(Parameters params, Arena arena, String name, int channels) {
        return new LayerNorm(params, arena, name, channels, true);
    }

    /**
     * Opset 13 has no layer or group normalization, so the ND4J path's steps: per-sample mean and
     * biased variance over (C, H, W), divide by sqrt(var + eps), per-channel affine.
     */
    @Override
    String emitNorm(OnnxGraph g, String input) {
        String mean = g.op("ReduceMean", input).ints("axes", 1, 2, 3).output();
        String centred = g.op("Sub", input, mean).output();
        String var = g.op("ReduceMean", g.op("Mul", centred, centred).output())
                .ints("axes", 1, 2, 3)
                .output();
        String std =
                g.op("Sqrt", g.op("Add", var, g.scalar((float) EPS)).output()).output();
        String xhat = g.op("Div", centred, std).output();
        long[] perChannel = {channels, 1, 1};
        String scaled = g.op("Mul", xhat, g.weight(gamma, perChannel)).output();
        return g.op("Add", scaled, g.weight(beta, perChannel)).output();
    }

    @Override
    void forwardNative(INDArray x, boolean training, INDArray y) {
        int n = (int) x.size(0);
        mean = new float[n];
        invStd = new float[n];
        gammaUsed = gamma.value().toFloatVector();
        betaUsed = beta.value().toFloatVector();
        NativeLayers.layerNormForward(x, gammaUsed, betaUsed, EPS, fusedRelu(), y, mean, invStd);
    }

    @Override
    void backwardNative(INDArray dy, INDArray dx, double[] dGamma, double[] dBeta) {
        NativeLayers.layerNormBackward(input, dy, gammaUsed, betaUsed, mean, invStd, fusedRelu(), dx, dGamma, dBeta);
    }

    @Override
    INDArray normalizeNd4j(INDArray x, boolean training) {
        INDArray sampleMean = arena.own(x.mean(1, 2, 3));
        INDArray centred = arena.own(Channels.subPerSample(x, sampleMean));
        INDArray sq = centred.mul(centred);
        INDArray var = arena.own(sq.mean(1, 2, 3));
        sq.close();
        invStdArray = arena.own(Transforms.pow(var.add(EPS), -0.5, false));
        return arena.own(Channels.mulPerSample(centred, invStdArray));
    }

    @Override
    INDArray backwardNd4j(INDArray dy) {
        addAffineGradients(dy).close();
        INDArray dxhat = Channels.mul(dy, gamma.value());
        INDArray meanDxhat = dxhat.mean(1, 2, 3);
        INDArray prod = dxhat.mul(xhat);
        INDArray meanProd = prod.mean(1, 2, 3);
        INDArray t1 = Channels.subPerSample(dxhat, meanDxhat);
        INDArray t2 = Channels.mulPerSample(xhat, meanProd);
        t1.subi(t2);
        INDArray dx = arena.own(Channels.mulPerSample(t1, invStdArray));
        for (INDArray a : new INDArray[] {dxhat, meanDxhat, prod, meanProd, t1, t2}) {
            a.close();
        }
        return dx;
    }
}

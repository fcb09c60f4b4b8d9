package dev.contrastive.models.encoder;

import dev.contrastive.models.nn.Arena;
import dev.contrastive.models.nn.Conv2d;
import dev.contrastive.models.nn.GlobalAvgPool;
import dev.contrastive.models.nn.Identity;
import dev.contrastive.models.nn.LayerNorm;
import dev.contrastive.models.nn.Module;
import dev.contrastive.models.nn.OnnxGraph;
import dev.contrastive.models.nn.PadMode;
import dev.contrastive.models.nn.Parameters;
import dev.contrastive.models.nn.Patches;
import dev.contrastive.models.nn.Relu;
import dev.contrastive.models.nn.Residual;
import dev.contrastive.models.nn.Sequential;
import dev.contrastive.models.nn.ToGrid;
import dev.contrastive.models.nn.ZeroPad2d;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * CPC v2 (Henaff et al. 2019): patch encoder, masked context network and prediction heads, with a
 * hand-written backward.
 *
 * <ul>
 *   <li>Patches: the image cut into a g x g grid of overlapping p x p patches (stride p/2).
 *   <li>Patch encoder (parameter prefix {@code encoder.}): a ResNet with LayerNorm in place of
 *       batch norm, stem 3x3 conv, three stages (width, 2w, 4w; stride 2 into stages 2 and 3) of
 *       basic blocks (conv3x3-LN-ReLU-conv3x3-LN plus identity or 1x1-conv-LN shortcut, ReLU),
 *       global average pool: one 4w-d vector per patch, laid out as a (B, 4w, g, g) map.
 *   <li>Context network ({@code context.}): the paper's PixelCNN, 5 residual blocks of 1x1 conv,
 *       ReLU, 1x3 conv (same), top pad 1, 2x1 conv (valid), ReLU, 1x1 conv back to 4w, then a final
 *       ReLU. A position sees only its own row and the rows above.
 *   <li>Heads: targets = 1x1 conv of the patch vectors ({@code z2target}), and one 1x1 conv of the
 *       context per predicted step ({@code ctx2pred.s}), all to targetDim, with bias.
 * </ul>
 *
 * <p>Convolutions and pooling are libnd4j ops with their {@code *_bp} twins. LayerNorm, fused with
 * the ReLU that follows it in the stem and after each block's first conv, takes the native kernels
 * of {@link dev.contrastive.core.layers.NativeLayers} in float32 on the CPU and ND4J reductions
 * otherwise (see {@link LayerNorm}). Initialisation: torch defaults (kaiming_uniform(a = sqrt 5),
 * uniform biases), LN weight 1, bias 0. Owns an {@link Arena} for one step; {@link #replica()}
 * gives a second cache over the same parameters.
 */
public final class CpcEncoder implements AutoCloseable {

    private final CpcConfig config;
    private final Parameters params;
    private final boolean ownsParams;
    private final Arena arena = new Arena();
    private final Patches patches;
    private final Sequential patchEncoder;
    private final Sequential context;
    private final Conv2d z2target;
    private final List<Conv2d> ctx2pred = new ArrayList<>();
    private boolean forwarded;

    /** Whether the last forward cut the patches itself (its input was whole images). */
    private boolean cutHere;

    public static CpcEncoder create(CpcConfig config, DataType dataType, long seed) {
        Parameters params = new Parameters(dataType);
        CpcEncoder e = new CpcEncoder(config, params, new SplittableRandom(seed), true);
        params.seal();
        return e;
    }

    /** A second module graph over the same parameters, with its own forward cache and arena. */
    public CpcEncoder replica() {
        return new CpcEncoder(config, params, new SplittableRandom(0), false);
    }

    private CpcEncoder(CpcConfig config, Parameters params, SplittableRandom rnd, boolean ownsParams) {
        this.config = config;
        this.params = params;
        this.ownsParams = ownsParams;
        int w = config.width();
        // Outside the patch encoder's Sequential, so that its first conv is the first module and can
        // skip the input gradient in training.
        patches = new Patches(arena, config.patchSize(), config.patchStride());
        List<Module> enc = new ArrayList<>();
        enc.add(conv("encoder.stem.conv", config.inChannels(), w, 3, 3, 1, 1, 1, false, rnd));
        enc.add(LayerNorm.withRelu(params, arena, "encoder.stem.ln", w));
        int in = w;
        for (int stage = 0; stage < 3; stage++) {
            int out = w << stage;
            for (int b = 0; b < config.blocksPerStage(); b++) {
                int stride = stage > 0 && b == 0 ? 2 : 1;
                enc.add(basicBlock("encoder.stage" + stage + ".block" + b, in, out, stride, rnd));
                in = out;
            }
        }
        enc.add(new GlobalAvgPool(arena));
        enc.add(new ToGrid(arena, config.grid()));
        patchEncoder = new Sequential(enc);

        int d = config.latentDim();
        int h = config.contextChannels();
        List<Module> ctx = new ArrayList<>();
        for (int b = 0; b < CpcConfig.CONTEXT_BLOCKS; b++) {
            String n = "context.block" + b;
            Module branch = new Sequential(List.of(
                    conv(n + ".conv1", d, h, 1, 1, 1, 0, 0, true, rnd),
                    new Relu(arena),
                    conv(n + ".conv2", h, h, 1, 3, 1, 0, 1, true, rnd),
                    new ZeroPad2d(arena, 1, 0, 0, 0),
                    conv(n + ".conv3", h, h, 2, 1, 1, 0, 0, true, rnd),
                    new Relu(arena),
                    conv(n + ".conv4", h, d, 1, 1, 1, 0, 0, true, rnd)));
            ctx.add(new Residual(arena, branch, new Identity()));
        }
        ctx.add(new Relu(arena));
        context = new Sequential(ctx);
        z2target = conv("z2target", d, config.targetDim(), 1, 1, 1, 0, 0, true, rnd);
        for (int s = 0; s < config.predictionSteps(); s++) {
            ctx2pred.add(conv("ctx2pred." + s, d, config.targetDim(), 1, 1, 1, 0, 0, true, rnd));
        }
    }

    private Conv2d conv(
            String name,
            int in,
            int out,
            int kH,
            int kW,
            int stride,
            int pH,
            int pW,
            boolean bias,
            SplittableRandom rnd) {
        return new Conv2d(params, arena, name, in, out, kH, kW, stride, pH, pW, bias, PadMode.ZEROS, rnd, null);
    }

    /** conv3x3(stride)-LN-ReLU-conv3x3-LN plus shortcut, then ReLU. */
    private Module basicBlock(String n, int in, int out, int stride, SplittableRandom rnd) {
        Module branch = new Sequential(List.of(
                conv(n + ".conv1", in, out, 3, 3, stride, 1, 1, false, rnd),
                LayerNorm.withRelu(params, arena, n + ".ln1", out),
                conv(n + ".conv2", out, out, 3, 3, 1, 1, 1, false, rnd),
                new LayerNorm(params, arena, n + ".ln2", out)));
        Module shortcut = in == out && stride == 1
                ? new Identity()
                : new Sequential(List.of(
                        conv(n + ".shortcut.conv", in, out, 1, 1, stride, 0, 0, false, rnd),
                        new LayerNorm(params, arena, n + ".shortcut.ln", out)));
        return new Sequential(List.of(new Residual(arena, branch, shortcut), new Relu(arena)));
    }

    public CpcConfig config() {
        return config;
    }

    public Parameters parameters() {
        return params;
    }

    /**
     * @param x whole images (B, inChannels, imageSize, imageSize), whose grid this encoder cuts, or
     *     patches already cut (and augmented one by one) in the grid's order, image-major then
     *     row-major: (B * g * g, inChannels, p, p) or (B, g * g, inChannels, p, p); clears this
     *     instance's previous step
     * @param training unused by LayerNorm; kept for the common module contract
     */
    public CpcFeatures forward(INDArray x, boolean training) {
        if (x.dataType() != params.dataType()) {
            throw new IllegalArgumentException(
                    "cpc encoder input must be " + params.dataType() + ", got " + x.dataType());
        }
        INDArray cut = preCutPatches(x);
        arena.clear();
        cutHere = cut == null;
        INDArray z = patchEncoder.forward(cutHere ? patches.forward(x, training) : cut, training);
        INDArray c = context.forward(z, training);
        INDArray targets = z2target.forward(z, training);
        List<INDArray> preds = new ArrayList<>();
        for (Conv2d head : ctx2pred) {
            preds.add(head.forward(c, training));
        }
        forwarded = true;
        return new CpcFeatures(z, targets, preds);
    }

    /**
     * {@code x} as (B * g * g, C, p, p) if it is a batch of cut patches, null if it is a batch of
     * whole images; anything else is an error naming the three accepted layouts. The two cannot be
     * confused: a grid needs images larger than one patch.
     */
    private INDArray preCutPatches(INDArray x) {
        int s = config.imageSize();
        int p = config.patchSize();
        long cells = (long) config.grid() * config.grid();
        long c = config.inChannels();
        if (x.rank() == 4 && x.size(1) == c && x.size(2) == s && x.size(3) == s) {
            return null;
        }
        if (x.rank() == 4 && x.size(1) == c && x.size(2) == p && x.size(3) == p && x.size(0) % cells == 0) {
            return x;
        }
        if (x.rank() == 5 && x.size(1) == cells && x.size(2) == c && x.size(3) == p && x.size(4) == p) {
            return x.reshape(x.size(0) * cells, c, p, p);
        }
        throw new IllegalArgumentException("cpc encoder input must be images "
                + shape("B", c, s, s)
                + " or their "
                + config.grid()
                + "x"
                + config.grid()
                + " patches "
                + shape("B * " + cells, c, p, p)
                + " or "
                + shape("B", cells, c, p, p)
                + ", got "
                + java.util.Arrays.toString(x.shape()));
    }

    /** "(batch, d1, d2, ...)", a layout in an error message. */
    private static String shape(String batch, long... dims) {
        StringBuilder b = new StringBuilder("(").append(batch);
        for (long d : dims) {
            b.append(", ").append(d);
        }
        return b.append(')').toString();
    }

    /**
     * Appends the patch vectors' forward to an ONNX graph: from {@code images}, a graph input (N,
     * inChannels, imageSize, imageSize), through the patch grid and the patch encoder to (N, 4 width,
     * g, g). The context network and heads are training-only and not exported.
     */
    public String exportLatents(OnnxGraph g, String images) {
        return patchEncoder.emit(g, patches.emit(g, images));
    }

    /**
     * Back-propagates the loss gradients of targets and predictions (and optionally of the patch
     * vectors themselves, null when unused), adding every parameter gradient.
     *
     * @return the gradient with respect to the input, in its layout (images, or cut patches as rows)
     */
    public INDArray backward(INDArray dTargets, List<INDArray> dPredictions, INDArray dLatents) {
        INDArray dPatches = patchEncoder.backward(latentGradient(dTargets, dPredictions, dLatents));
        return cutHere ? patches.backward(dPatches) : dPatches;
    }

    /**
     * {@link #backward} without the gradient with respect to the images, which training does not use:
     * the first convolution computes its weight gradient only and the patches are not folded back.
     */
    public void backwardToParameters(INDArray dTargets, List<INDArray> dPredictions, INDArray dLatents) {
        patchEncoder.backwardToParameters(latentGradient(dTargets, dPredictions, dLatents));
    }

    /** Back-propagates through the heads and the context network to the patch vectors. */
    private INDArray latentGradient(INDArray dTargets, List<INDArray> dPredictions, INDArray dLatents) {
        if (!forwarded) {
            throw new IllegalStateException("cpc encoder backward called before forward");
        }
        if (dPredictions.size() != ctx2pred.size()) {
            throw new IllegalArgumentException("cpc encoder backward needs "
                    + ctx2pred.size()
                    + " prediction gradients, got "
                    + dPredictions.size());
        }
        INDArray dc = null;
        for (int s = 0; s < ctx2pred.size(); s++) {
            INDArray g = ctx2pred.get(s).backward(dPredictions.get(s));
            dc = dc == null ? g : arena.own(dc.add(g));
        }
        INDArray dz = arena.own(context.backward(dc).add(z2target.backward(dTargets)));
        if (dLatents != null) {
            dz.addi(dLatents);
        }
        return dz;
    }

    @Override
    public void close() {
        arena.close();
        if (ownsParams) {
            params.close();
        }
    }
}

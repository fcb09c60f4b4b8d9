package dev.contrastive.models.encoder;

import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.models.nn.Arena;
import dev.contrastive.models.nn.BatchNorm2d;
import dev.contrastive.models.nn.Conv2d;
import dev.contrastive.models.nn.Identity;
import dev.contrastive.models.nn.Init;
import dev.contrastive.models.nn.Module;
import dev.contrastive.models.nn.OnnxGraph;
import dev.contrastive.models.nn.PadMode;
import dev.contrastive.models.nn.Parameters;
import dev.contrastive.models.nn.PooledResidual;
import dev.contrastive.models.nn.Relu;
import dev.contrastive.models.nn.Residual;
import dev.contrastive.models.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * amdim-public's model.py {@code Encoder}, forward and hand-written backward.
 *
 * <p>Structure at 32x32 (spatial size after each layer): Conv3x3 3x3 (30), ConvResNxN 1x1 (30),
 * ConvResBlock 4x4/2 (14), ConvResBlock 2x2/2 (7), MaybeBatchNorm2d (7), ConvResBlock 3x3 (5),
 * ConvResBlock 3x3 (3), ConvResNxN 3x3 to n_rkhs (1), BatchNorm2d (1). The 64 and 128 variants add
 * stages in front (128: a 5x5 stride-2 reflect-padded conv). As in amdim, the r1, r5 and r7 taps
 * are the last layer outputs of spatial size 1, 5 and 7; r1 is used as is (NopNet), r5 and r7 go
 * through FakeRKHSConvNet (residual 1x1 MLP with batch norm on its output).
 *
 * <p>Initialisation as amdim's {@code init_weights(1.0)}: torch defaults (kaiming_uniform(a = sqrt
 * 5), uniform biases), the last 1x1 conv of every residual branch zero (Fixup-style), the
 * FakeRKHSConvNet shortcut identity-like (U(-0.01, 0.01) with ones on the diagonal) when it does
 * not shrink; batch norm weight 1, bias 0. Parameter names follow torch's state_dict of the encoder
 * ("layer_list.2.layer_list.0.conv1.weight", "rkhs_block_5.bn_out.bn.weight", ...). amdim declares
 * MaybeBatchNorm2d's parameters even when it is off; here they exist only when used. Where a batch
 * norm is followed by a ReLU (ConvResNxN, FakeRKHSConvNet's hidden layer) the two are one {@link
 * BatchNorm2d#withRelu} module, which adds no parameters (see {@link BatchNorm2d} for its native
 * and ND4J paths).
 *
 * <p>Each instance keeps the forward cache of one batch. For two views per step, use {@link
 * #replica()}: the same parameters, a separate cache. Batch statistics are then per view, as in
 * amdim, which calls its encoder once per view.
 *
 * <p>Owns an {@link Arena} that holds one step's activations and gradients; {@link #forward} clears
 * it first. The root instance also owns the {@link Parameters}.
 */
public final class AmdimEncoder implements AutoCloseable {

    private final AmdimConfig config;
    private final Parameters params;
    private final boolean ownsParams;
    private final Arena arena = new Arena();
    private final List<Module> layers = new ArrayList<>();
    private final int tap1;
    private final int tap5;
    private final int tap7;
    private final Module rkhs5;
    private final Module rkhs7;
    private boolean forwarded;

    /**
     * A new encoder with weights drawn from {@code seed}; float32 for training, float64 for checks.
     */
    public static AmdimEncoder create(AmdimConfig config, DataType dataType, long seed) {
        return create(config, dataType, seed, true);
    }

    /**
     * {@link #create(AmdimConfig, DataType, long)}; without {@code tapHeads} the r5 and r7 heads
     * (FakeRKHSConvNet) are not built, for methods that read r1 alone: no parameters, no optimiser
     * work.
     */
    public static AmdimEncoder create(AmdimConfig config, DataType dataType, long seed, boolean tapHeads) {
        Parameters params = new Parameters(dataType);
        AmdimEncoder e = new AmdimEncoder(config, params, new SplittableRandom(seed), true, tapHeads);
        params.seal();
        return e;
    }

    /**
     * An encoder that declares its tensors in {@code params}, unsealed, beside those of other modules
     * (a projection head): the caller seals {@code params} once everything is declared, and owns it.
     */
    public static AmdimEncoder declare(AmdimConfig config, Parameters params, long seed, boolean tapHeads) {
        return new AmdimEncoder(config, params, new SplittableRandom(seed), false, tapHeads);
    }

    /** A second module graph over the same parameters with its own forward cache and arena. */
    public AmdimEncoder replica() {
        // The draws are discarded: every declaration binds to the sealed tensor of the same name.
        return new AmdimEncoder(config, params, new SplittableRandom(0), false, rkhs5 != null);
    }

    private AmdimEncoder(
            AmdimConfig config, Parameters params, SplittableRandom rnd, boolean ownsParams, boolean tapHeads) {
        this.config = config;
        this.params = params;
        this.ownsParams = ownsParams;
        Builder b = new Builder(rnd);
        int ndf = config.ndf();
        int nc = config.inChannels();
        boolean bn = config.useBn();
        int d = config.nDepth();
        switch (config.encoderSize()) {
            case 32 -> {
                b.conv3x3(nc, ndf, 3, 1, 0, PadMode.ZEROS);
                b.resNxN(ndf, ndf, 1, 1);
                b.resBlock(ndf, ndf * 2, 4, 2, d);
                b.resBlock(ndf * 2, ndf * 4, 2, 2, d);
                b.maybeBn(ndf * 4, bn);
            }
            case 64 -> {
                b.conv3x3(nc, ndf, 3, 1, 0, PadMode.ZEROS);
                b.resBlock(ndf, ndf * 2, 4, 2, d);
                b.resBlock(ndf * 2, ndf * 4, 4, 2, d);
                b.resBlock(ndf * 4, ndf * 8, 2, 2, d);
                b.maybeBn(ndf * 8, bn);
            }
            case 128 -> {
                b.conv3x3(nc, ndf, 5, 2, 2, PadMode.REFLECT);
                b.conv3x3(ndf, ndf, 3, 1, 0, PadMode.ZEROS);
                b.resBlock(ndf, ndf * 2, 4, 2, d);
                b.resBlock(ndf * 2, ndf * 4, 4, 2, d);
                b.resBlock(ndf * 4, ndf * 8, 2, 2, d);
                b.maybeBn(ndf * 8, bn);
            }
            default -> throw new IllegalStateException("validated by AmdimConfig");
        }
        int top = config.topWidth();
        b.resBlock(top, top, 3, 1, d);
        b.resBlock(top, top, 3, 1, d);
        b.resNxN(top, config.nRkhs(), 3, 1);
        b.maybeBn(config.nRkhs(), true);
        if (b.size != 1 || b.lastOfSize[1] < 0 || b.lastOfSize[5] < 0 || b.lastOfSize[7] < 0) {
            throw new IllegalStateException("encoder does not reach 7, 5 and 1: " + b.size);
        }
        tap1 = b.lastOfSize[1];
        tap5 = b.lastOfSize[5];
        tap7 = b.lastOfSize[7];
        rkhs5 = tapHeads ? b.fakeRkhs("rkhs_block_5", b.channelsAt.get(tap5), config.nRkhs()) : null;
        rkhs7 = tapHeads ? b.fakeRkhs("rkhs_block_7", b.channelsAt.get(tap7), config.nRkhs()) : null;
    }

    /** The whole image (C, S, S) an encoder of {@code config} takes. */
    public static ItemShape imageShape(AmdimConfig config) {
        return ItemShape.image(config.inChannels(), config.encoderSize(), config.encoderSize());
    }

    public AmdimConfig config() {
        return config;
    }

    public Parameters parameters() {
        return params;
    }

    /**
     * Runs the encoder on x (B, inChannels, size, size), clearing this instance's previous step; r5
     * and r7 are computed when the encoder has their heads.
     *
     * @param training batch statistics (and running-stat updates) when true, running stats when false
     */
    public AmdimFeatures forward(INDArray x, boolean training) {
        return forward(x, training, rkhs5 != null);
    }

    /**
     * {@link #forward(INDArray, boolean)}, computing the r5 and r7 taps' heads only when {@code
     * tapHeads}: a loss or probe that reads r1 alone skips them (their features are then null and
     * their gradients must be null in backward).
     *
     * @throws IllegalStateException if {@code tapHeads} is asked of an encoder built without them
     */
    public AmdimFeatures forward(INDArray x, boolean training, boolean tapHeads) {
        requireTapHeads(tapHeads);
        int s = config.encoderSize();
        if (x.rank() != 4 || x.size(1) != config.inChannels() || x.size(2) != s || x.size(3) != s) {
            throw new IllegalArgumentException("amdim encoder input must be (B, "
                    + config.inChannels()
                    + ", "
                    + s
                    + ", "
                    + s
                    + "), got "
                    + java.util.Arrays.toString(x.shape()));
        }
        if (x.dataType() != params.dataType()) {
            throw new IllegalArgumentException(
                    "amdim encoder input must be " + params.dataType() + ", got " + x.dataType());
        }
        arena.clear();
        Taps<INDArray> t = walk(x, tapHeads, (layer, h) -> layer.forward(h, training));
        forwarded = true;
        return new AmdimFeatures(t.r1(), t.r5(), t.r7());
    }

    /** The names of the taps in an ONNX graph; r5 and r7 null when their heads were not exported. */
    public record TapNames(String r1, String r5, String r7) {}

    /**
     * Appends the evaluation-mode {@link #forward(INDArray, boolean, boolean)} to an ONNX graph: from
     * {@code images} (N, inChannels, size, size) to the taps.
     *
     * @throws IllegalStateException if {@code tapHeads} is asked of an encoder built without them
     */
    public TapNames export(OnnxGraph g, String images, boolean tapHeads) {
        requireTapHeads(tapHeads);
        Taps<String> t = walk(images, tapHeads, (layer, h) -> layer.emit(g, h));
        return new TapNames(t.r1(), t.r5(), t.r7());
    }

    private void requireTapHeads(boolean tapHeads) {
        if (tapHeads && rkhs5 == null) {
            throw new IllegalStateException("this amdim encoder was built without the r5 and r7 heads");
        }
    }

    /** The taps of one walk down the layers: arrays of a forward, or value names of an export. */
    private record Taps<T>(T r1, T r5, T r7) {}

    /**
     * Applies the layers in order to {@code x}, and the r5 and r7 heads to their taps when {@code
     * tapHeads} (otherwise those taps are null): what the forward and the export both do, one on
     * arrays, the other on the names of ONNX values.
     */
    private <T> Taps<T> walk(T x, boolean tapHeads, BiFunction<Module, T, T> apply) {
        T h = x;
        T r1 = null;
        T r5 = null;
        T r7 = null;
        for (int i = 0; i < layers.size(); i++) {
            h = apply.apply(layers.get(i), h);
            if (i == tap1) {
                r1 = h;
            }
            if (i == tap5 && tapHeads) {
                r5 = apply.apply(rkhs5, h);
            }
            if (i == tap7 && tapHeads) {
                r7 = apply.apply(rkhs7, h);
            }
        }
        return new Taps<>(r1, r5, r7);
    }

    /**
     * Back-propagates the loss gradients of the last forward's taps; adds every parameter gradient to
     * {@link Parameters} (call {@link Parameters#zeroGrad()} once per step, before the first
     * replica's backward). A null tap gradient means the loss does not use that tap.
     *
     * @return the gradient with respect to the input, owned by this instance's arena
     */
    public INDArray backward(INDArray dr1, INDArray dr5, INDArray dr7) {
        return backward(dr1, dr5, dr7, true);
    }

    /**
     * {@link #backward} without the gradient with respect to the input, which training does not use:
     * the first convolution computes its weight gradient only (see {@code
     * Module.backwardToParameters}).
     */
    public void backwardToParameters(INDArray dr1, INDArray dr5, INDArray dr7) {
        backward(dr1, dr5, dr7, false);
    }

    private INDArray backward(INDArray dr1, INDArray dr5, INDArray dr7, boolean inputGradient) {
        if (!forwarded) {
            throw new IllegalStateException("amdim encoder backward called before forward");
        }
        INDArray g = null;
        for (int i = layers.size() - 1; i >= 0; i--) {
            g = addTap(g, i == tap1 ? dr1 : null);
            g = addTap(g, i == tap5 && dr5 != null ? rkhs5.backward(dr5) : null);
            g = addTap(g, i == tap7 && dr7 != null ? rkhs7.backward(dr7) : null);
            if (g == null) {
                // Nothing reaches this layer yet (the taps above it were all null).
                continue;
            }
            if (i == 0 && !inputGradient) {
                layers.get(0).backwardToParameters(g);
                return null;
            }
            g = layers.get(i).backward(g);
        }
        if (g == null) {
            throw new IllegalArgumentException("amdim encoder backward needs at least one tap gradient");
        }
        return g;
    }

    private INDArray addTap(INDArray g, INDArray tap) {
        if (tap == null) {
            return g;
        }
        return g == null ? tap : arena.own(g.add(tap));
    }

    /** Frees this instance's step arrays, and the parameters if this is the root instance. */
    @Override
    public void close() {
        arena.close();
        if (ownsParams) {
            params.close();
        }
    }

    /** Appends layers, tracking spatial size and channels as amdim's _config_modules does. */
    private final class Builder {
        private final SplittableRandom rnd;
        private int size = config.encoderSize();
        private final int[] lastOfSize = {-1, -1, -1, -1, -1, -1, -1, -1};
        private final List<Integer> channelsAt = new ArrayList<>();

        Builder(SplittableRandom rnd) {
            this.rnd = rnd;
        }

        private String name() {
            return "layer_list." + layers.size();
        }

        private void add(Module m, int outChannels, int outSize) {
            if (outSize < 1) {
                throw new IllegalStateException("encoder stage shrinks below 1x1");
            }
            size = outSize;
            if (size < lastOfSize.length) {
                lastOfSize[size] = layers.size();
            }
            layers.add(m);
            channelsAt.add(outChannels);
        }

        private int out(int k, int s, int p) {
            return (size + 2 * p - k) / s + 1;
        }

        /** amdim Conv3x3 with use_bn False: pad, conv with bias, ReLU. */
        void conv3x3(int in, int out, int k, int s, int p, PadMode mode) {
            String n = name();
            Module m = new Sequential(List.of(
                    new Conv2d(params, arena, n + ".conv", in, out, k, s, p, true, mode, rnd), new Relu(arena)));
            add(m, out, out(k, s, p));
        }

        void maybeBn(int channels, boolean on) {
            add(on ? new BatchNorm2d(params, arena, name() + ".bn", channels) : new Identity(), channels, size);
        }

        void resNxN(int in, int out, int k, int s) {
            String n = name();
            add(convResNxN(n, in, out, k, s, size), out, out(k, s, 0));
        }

        void resBlock(int in, int out, int k, int s, int depth) {
            String n = name() + ".layer_list.";
            List<Module> list = new ArrayList<>();
            int sz = size;
            list.add(convResNxN(n + 0, in, out, k, s, sz));
            for (int i = 1; i < depth; i++) {
                list.add(convResNxN(n + i, out, out, 1, 1, sz));
            }
            add(new Sequential(list), out, out(k, s, 0));
        }

        /**
         * amdim ConvResNxN: conv1 (k, s, no bias) -> MaybeBatchNorm2d -> ReLU -> conv2 1x1 (zero init),
         * plus avg_pool2d(k, s) of x, zero-padded to out channels. No ReLU after the sum.
         */
        private Module convResNxN(String n, int in, int out, int k, int s, int inSize) {
            List<Module> branch = new ArrayList<>();
            branch.add(new Conv2d(params, arena, n + ".conv1", in, out, k, s, 0, false, PadMode.ZEROS, rnd));
            branch.add(config.useBn() ? BatchNorm2d.withRelu(params, arena, n + ".bn1.bn", out) : new Relu(arena));
            branch.add(new Conv2d(
                    params, arena, n + ".conv2", out, out, 1, 1, 0, false, PadMode.ZEROS, rnd, new double[out * out]));
            return new PooledResidual(arena, new Sequential(branch), in, out, k, s);
        }

        /**
         * amdim FakeRKHSConvNet: bn_out(conv2(relu(bn_hid(conv1(x)))) + shortcut(x)), 1x1 convs, conv2
         * zero-initialised, shortcut with bias and identity-like when out >= in.
         */
        Module fakeRkhs(String n, int in, int out) {
            List<Module> branch = new ArrayList<>();
            branch.add(new Conv2d(params, arena, n + ".conv1", in, out, 1, 1, 0, false, PadMode.ZEROS, rnd));
            branch.add(config.useBn() ? BatchNorm2d.withRelu(params, arena, n + ".bn_hid.bn", out) : new Relu(arena));
            branch.add(new Conv2d(
                    params, arena, n + ".conv2", out, out, 1, 1, 0, false, PadMode.ZEROS, rnd, new double[out * out]));
            double[] shortcutInit = null;
            if (out >= in) {
                shortcutInit = Init.uniform((long) out * in, 0.01, rnd);
                for (int i = 0; i < in; i++) {
                    shortcutInit[i * in + i] = 1.0;
                }
            }
            Module shortcut = new Conv2d(
                    params, arena, n + ".shortcut", in, out, 1, 1, 0, true, PadMode.ZEROS, rnd, shortcutInit);
            return new Sequential(List.of(
                    new Residual(arena, new Sequential(branch), shortcut),
                    new BatchNorm2d(params, arena, n + ".bn_out.bn", out)));
        }
    }
}

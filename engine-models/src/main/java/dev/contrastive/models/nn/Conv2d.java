package dev.contrastive.models.nn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * 2-D convolution, NCHW, weights (out, in, kH, kW) like torch, optional bias, zero or reflect
 * padding. Forward is libnd4j's {@code conv2d}, backward its {@code conv2d_bp}; reflect padding is
 * applied before the op by {@link ReflectPad} and folded back after {@code conv2d_bp}.
 *
 * <p>Three cases take faster paths ({@link FastPaths} switches them off, for tests and benchmarks
 * that compare):
 *
 * <ul>
 *   <li>A convolution whose window covers its whole unpadded input (a k x k kernel on a k x k map,
 *       output 1 x 1: AMDIM's last 3x3 conv and its 1x1 convs on 1x1 maps) is a dense layer and
 *       runs as gemms: {@code y = x (N, Cin k k) W^T}, {@code dx = dy W}, {@code dW += dy^T x}.
 *       libnd4j's conv2d_bp took 120 ms for the (64, 512, 3, 3) -> 1024 layer of the published
 *       CIFAR encoder, the gemms 5 ms (oneDNN's reorders and im2col dominate at a 1 x 1 output).
 *   <li>The backward of a float32 3x3 stride-1 convolution with at least 256 input channels, on a
 *       CPU with AVX-512, runs as libnd4j's {@code deconv2d} (dx: a transposed convolution is
 *       exactly the backward-data pass) plus {@code deconv2d_bp(dy, W, x)} (its weight gradient is
 *       this convolution's dW; the forward convolution it also computes is discarded). conv2d_bp
 *       asks oneDNN for {@code convolution_auto}, which on AVX-512 picks Winograd for 3x3 stride-1
 *       backward data: 83 ms for the CIFAR encoder's (64, 512, 5, 5) layer, 37 ms this way; 104 vs
 *       81 ms at 7 x 7. With fewer channels the measured gain was mixed (CPC's 16-32-64-channel
 *       patch convs, AMDIM small's 128), so they keep conv2d_bp.
 * </ul>
 *
 * <p>Op arguments (libnd4j conv2d.cpp): inputs (input, weights[, bias]); iArgs kH, kW, sH, sW, pH,
 * pW, dH, dW, isSameMode (0 = explicit padding), dataFormat (0 = NCHW), weightFormat (1 = [oC, iC,
 * kH, kW]). conv2d_bp takes (input, weights[, bias], gradO) and returns (gradI, gradW[, gradB]).
 */
public final class Conv2d implements Module {

    /**
     * oneDNN's Winograd kernels, the reason for the deconvolution backward, exist for AVX-512 only.
     */
    static final boolean WINOGRAD_CPU = cpuHasAvx512();

    private static final int DECONV_BACKWARD_MIN_CHANNELS = 256;
    private static volatile boolean fastPaths = true;

    private final Arena arena;
    private final int kH;
    private final int kW;
    private final int stride;
    private final int pH;
    private final int pW;
    private final PadMode padMode;
    private final Parameters.Tensor weight;
    private final Parameters.Tensor bias;
    private final ReflectPad reflect;
    private final int inChannels;
    private INDArray input;
    private boolean denseLast;

    /**
     * @param name prefix of the parameter names ({@code name.weight}, {@code name.bias})
     * @param rnd draws torch's default init: kaiming_uniform(a=sqrt(5)) weights, U(+-1/sqrt(fan_in))
     *     bias
     */
    public Conv2d(
            Parameters params,
            Arena arena,
            String name,
            int inChannels,
            int outChannels,
            int kernel,
            int stride,
            int padding,
            boolean withBias,
            PadMode padMode,
            SplittableRandom rnd) {
        this(params, arena, name, inChannels, outChannels, kernel, stride, padding, withBias, padMode, rnd, null);
    }

    /**
     * As above, with explicit initial weights in C order of (out, in, k, k) (zero init of a residual
     * branch's last conv, identity-like shortcuts); null means torch's default draw.
     */
    public Conv2d(
            Parameters params,
            Arena arena,
            String name,
            int inChannels,
            int outChannels,
            int kernel,
            int stride,
            int padding,
            boolean withBias,
            PadMode padMode,
            SplittableRandom rnd,
            double[] weightInit) {
        this(
                params,
                arena,
                name,
                inChannels,
                outChannels,
                kernel,
                kernel,
                stride,
                padding,
                padding,
                withBias,
                padMode,
                rnd,
                weightInit);
    }

    /**
     * The general form: a kH x kW kernel and padding pH rows, pW columns on each side (CPC's 1x3 and
     * 2x1 context convolutions).
     */
    public Conv2d(
            Parameters params,
            Arena arena,
            String name,
            int inChannels,
            int outChannels,
            int kH,
            int kW,
            int stride,
            int pH,
            int pW,
            boolean withBias,
            PadMode padMode,
            SplittableRandom rnd,
            double[] weightInit) {
        require(inChannels >= 1, name + ".inChannels must be >= 1, got " + inChannels);
        require(outChannels >= 1, name + ".outChannels must be >= 1, got " + outChannels);
        require(kH >= 1 && kW >= 1, name + ".kernel must be >= 1, got " + kH + "x" + kW);
        require(stride >= 1, name + ".stride must be >= 1, got " + stride);
        require(pH >= 0 && pW >= 0, name + ".padding must be >= 0, got " + pH + ", " + pW);
        require(
                padMode == PadMode.ZEROS || pH == pW,
                name + ".padding must be the same on both axes with reflect padding, got " + pH + ", " + pW);
        this.arena = arena;
        this.inChannels = inChannels;
        this.kH = kH;
        this.kW = kW;
        this.stride = stride;
        this.pH = pH;
        this.pW = pW;
        this.padMode = padMode;
        long fanIn = (long) inChannels * kH * kW;
        long[] wShape = {outChannels, inChannels, kH, kW};
        this.weight = params.declare(
                name + ".weight",
                wShape,
                weightInit != null ? weightInit : Init.kaimingUniformSqrt5(outChannels * fanIn, fanIn, rnd));
        this.bias = withBias
                ? params.declare(name + ".bias", new long[] {outChannels}, Init.defaultBias(outChannels, fanIn, rnd))
                : null;
        this.reflect = padMode == PadMode.REFLECT && pH > 0 ? new ReflectPad(arena, pH) : null;
    }

    public Parameters.Tensor weight() {
        return weight;
    }

    /** The bias tensor, or null when the conv has none. */
    public Parameters.Tensor bias() {
        return bias;
    }

    /** Whether the dense and deconvolution paths run where they apply (default true). */
    static void setFastPaths(boolean on) {
        fastPaths = on;
    }

    static boolean fastPaths() {
        return fastPaths;
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        input = reflect != null ? reflect.forward(x, training) : x;
        denseLast = fastPaths && pH == 0 && pW == 0 && input.size(2) == kH && input.size(3) == kW;
        if (denseLast) {
            return denseForward();
        }
        // One addInputs call: the builder replaces, not appends, on a second call.
        INDArray[] inputs = bias != null
                ? new INDArray[] {input, weight.value(), bias.value()}
                : new INDArray[] {input, weight.value()};
        INDArray[] out = Nd4j.exec(DynamicCustomOp.builder("conv2d")
                .addInputs(inputs)
                .addIntegerArguments(iArgs())
                .build());
        return arena.own(out[0]);
    }

    @Override
    public INDArray backward(INDArray dy) {
        if (denseLast) {
            return denseBackward(dy);
        }
        if (deconvBackwardApplies()) {
            return deconvBackward(dy);
        }
        INDArray[] inputs = bias != null
                ? new INDArray[] {input, weight.value(), bias.value(), dy}
                : new INDArray[] {input, weight.value(), dy};
        INDArray[] grads = Nd4j.exec(DynamicCustomOp.builder("conv2d_bp")
                .addInputs(inputs)
                .addIntegerArguments(iArgs())
                .build());
        weight.grad().addi(grads[1]);
        grads[1].close();
        if (bias != null) {
            bias.grad().addi(grads[2].reshape(bias.grad().shape()));
            grads[2].close();
        }
        INDArray dx = arena.own(grads[0]);
        return reflect != null ? reflect.backward(dx) : dx;
    }

    private INDArray denseForward() {
        long n = input.size(0);
        INDArray w = weight.value();
        INDArray y = arena.own(Nd4j.create(input.dataType(), n, w.size(0), 1, 1));
        Nd4j.gemm(rows(input), rows(w), rows(y), false, true, 1.0, 0.0);
        if (bias != null) {
            rows(y).addiRowVector(bias.value());
        }
        return y;
    }

    private INDArray denseBackward(INDArray dy) {
        INDArray dx = arena.own(Nd4j.create(input.dataType(), input.shape()));
        Nd4j.gemm(rows(dy), rows(weight.value()), rows(dx), false, false, 1.0, 0.0);
        addDenseWeightGradient(dy);
        addBiasGradient(dy);
        return dx;
    }

    private void addDenseWeightGradient(INDArray dy) {
        Nd4j.gemm(rows(dy), rows(input), rows(weight.grad()), true, false, 1.0, 1.0);
    }

    /**
     * The weight (and bias) gradient without the input gradient. Float32 stride-1 convolutions on the
     * CPU take it from {@code deconv2d_bp(dy, W, x)}, whose weight gradient is this convolution's dW
     * (the forward it also computes is discarded): for the encoders' first layers 3.4 vs 34 ms (CPC's
     * (3136, 1, 8, 8) -> 16) and 5.7 vs 10.6 ms (AMDIM small's (64, 1, 32, 32) -> 32) against
     * conv2d_bp with its input gradient. Strided ones, where a deconvolution's output size need not
     * be the input's, run conv2d_bp and drop dx.
     */
    @Override
    public void backwardToParameters(INDArray dy) {
        if (denseLast) {
            addDenseWeightGradient(dy);
            addBiasGradient(dy);
            return;
        }
        if (!deconvolutionUsable()) {
            backward(dy);
            return;
        }
        addDeconvWeightGradient(dy);
        addBiasGradient(dy);
    }

    /** Conv (the dense path computes the same), after a reflect Pad when the padding reflects. */
    @Override
    public String emit(OnnxGraph g, String input) {
        String x = reflect != null ? reflect.emit(g, input) : input;
        String w = g.weight(weight);
        OnnxGraph.Node conv = bias != null ? g.op("Conv", x, w, g.weight(bias)) : g.op("Conv", x, w);
        // Reflect padding was its own node.
        int ph = reflect != null ? 0 : pH;
        int pw = reflect != null ? 0 : pW;
        return conv.ints("kernel_shape", kH, kW)
                .ints("strides", stride, stride)
                .ints("pads", ph, pw, ph, pw)
                .output();
    }

    /**
     * Whether libnd4j's deconvolution ops can stand in for this conv's backward (stride 1, float32,
     * CPU).
     */
    private boolean deconvolutionUsable() {
        return fastPaths
                && stride == 1
                && input.dataType() == DataType.FLOAT
                && Nd4j.getEnvironment().isCPU();
    }

    private boolean deconvBackwardApplies() {
        return deconvolutionUsable()
                && WINOGRAD_CPU
                && kH == 3
                && kW == 3
                && inChannels >= DECONV_BACKWARD_MIN_CHANNELS;
    }

    private INDArray deconvBackward(INDArray dy) {
        INDArray w = weight.value();
        int[] args = iArgs();
        // deconv2d's weight format 1 is [its input channels, its output channels, kH, kW]: ours as is.
        INDArray dx = arena.own(Nd4j.create(input.dataType(), input.shape()));
        Nd4j.exec(DynamicCustomOp.builder("deconv2d")
                .addInputs(dy, w)
                .addOutputs(dx)
                .addIntegerArguments(args)
                .build());
        addDeconvWeightGradient(dy);
        addBiasGradient(dy);
        return reflect != null ? reflect.backward(dx) : dx;
    }

    private void addDeconvWeightGradient(INDArray dy) {
        INDArray w = weight.value();
        INDArray discardedForward = Nd4j.create(dy.dataType(), dy.shape());
        INDArray dW = Nd4j.create(w.dataType(), w.shape());
        Nd4j.exec(DynamicCustomOp.builder("deconv2d_bp")
                .addInputs(dy, w, input)
                .addOutputs(discardedForward, dW)
                .addIntegerArguments(iArgs())
                .build());
        weight.grad().addi(dW);
        discardedForward.close();
        dW.close();
    }

    private void addBiasGradient(INDArray dy) {
        if (bias != null) {
            bias.grad().addi(dy.sum(0, 2, 3));
        }
    }

    private static boolean cpuHasAvx512() {
        try {
            return Files.readString(Path.of("/proc/cpuinfo")).contains(" avx512f");
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    /** (N, everything else) of a C-order array: a view when it is contiguous, a copy otherwise. */
    private static INDArray rows(INDArray a) {
        return a.reshape('c', a.size(0), a.length() / a.size(0));
    }

    private int[] iArgs() {
        // Reflect padding was applied before the op.
        int ph = reflect != null ? 0 : pH;
        int pw = reflect != null ? 0 : pW;
        return new int[] {kH, kW, stride, stride, ph, pw, 1, 1, 0, 0, 1};
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}

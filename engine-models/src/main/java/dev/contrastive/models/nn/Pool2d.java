package dev.contrastive.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Max or average pooling, NCHW, with libnd4j's {@code maxpool2d}/{@code maxpool2d_bp} and {@code
 * avgpool2d}/{@code avgpool2d_bp}.
 *
 * <p>Op arguments (libnd4j maxpool2d.cpp, avgpool2d.cpp): inputs (input) forward, (input, gradO)
 * backward; iArgs kH, kW, sH, sW, pH, pW, dH, dW, isSameMode (0), extraParam0, dataFormat (0 =
 * NCHW). For average pooling extraParam0 = 1 divides by the full window like torch's
 * count_include_pad=True; max pooling ignores it and never picks a padded cell, like torch.
 */
public final class Pool2d implements Module {

    /** Which reduction the window applies. */
    public enum Kind {
        MAX,
        AVG
    }

    private final Arena arena;
    private final Kind kind;
    private final int kernel;
    private final int stride;
    private final int padding;
    private INDArray input;

    public Pool2d(Arena arena, Kind kind, int kernel, int stride, int padding) {
        if (kernel < 1 || stride < 1) {
            throw new IllegalArgumentException(
                    "pool.kernel and pool.stride must be >= 1, got " + kernel + ", " + stride);
        }
        if (padding < 0 || 2 * padding > kernel) {
            throw new IllegalArgumentException(
                    "pool.padding must be in [0, kernel/2] like torch, got " + padding + " for kernel " + kernel);
        }
        this.arena = arena;
        this.kind = kind;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    /** torch.nn.MaxPool2d(3, 2, padding=1), the ResNet stem pool. */
    public static Pool2d resnetMaxPool(Arena arena) {
        return new Pool2d(arena, Kind.MAX, 3, 2, 1);
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        input = x;
        String op = kind == Kind.MAX ? "maxpool2d" : "avgpool2d";
        return arena.own(
                Nd4j.exec(DynamicCustomOp.builder(op)
                        .addInputs(x)
                        .addIntegerArguments(iArgs())
                        .build())[0]);
    }

    @Override
    public INDArray backward(INDArray dy) {
        String op = kind == Kind.MAX ? "maxpool2d_bp" : "avgpool2d_bp";
        return arena.own(
                Nd4j.exec(DynamicCustomOp.builder(op)
                        .addInputs(input, dy)
                        .addIntegerArguments(iArgs())
                        .build())[0]);
    }

    /**
     * MaxPool, or AveragePool dividing by the whole window (count_include_pad) as extraParam0 = 1
     * does.
     */
    @Override
    public String emit(OnnxGraph g, String input) {
        OnnxGraph.Node pool = kind == Kind.MAX
                ? g.op("MaxPool", input)
                : g.op("AveragePool", input).integer("count_include_pad", 1);
        return pool.ints("kernel_shape", kernel, kernel)
                .ints("strides", stride, stride)
                .ints("pads", padding, padding, padding, padding)
                .output();
    }

    private int[] iArgs() {
        return new int[] {kernel, kernel, stride, stride, padding, padding, 1, 1, 0, 1, 0};
    }
}

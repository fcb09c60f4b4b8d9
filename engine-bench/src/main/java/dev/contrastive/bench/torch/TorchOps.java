package dev.contrastive.bench.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;

/**
 * The handful of torch layers the AMDIM and CPC encoders are made of, as the functional calls a
 * PyTorch user's {@code nn.Module.forward} makes (torch.nn.functional conv2d, batch_norm,
 * avg_pool2d, layer_norm, relu), on DJL's PyTorch engine. Results land in the manager of the first
 * operand, the activation.
 */
final class TorchOps {

    private TorchOps() {}

    /** torch.nn.functional.conv2d, zero padding; {@code bias} may be null. */
    static NDArray conv(NDArray x, NDArray weight, NDArray bias, int stride, int padH, int padW) {
        long[] in = x.getShape().getShape();
        long[] k = weight.getShape().getShape();
        ConvTrace.add(new ConvShape(in[0], in[1], in[2], in[3], k[0], k[2], k[3], stride, padH, padW));
        return Conv2d.conv2d(x, weight, bias, new Shape(stride, stride), new Shape(padH, padW), new Shape(1, 1), 1)
                .singletonOrThrow();
    }

    /**
     * torch batch_norm over axis 1, eps 1e-5, momentum 0.1 (updates the running statistics in
     * training).
     */
    static NDArray batchNorm(NDArray x, TorchParameters p, String name, boolean training) {
        return BatchNorm.batchNorm(
                        x,
                        p.get(name + ".running_mean"),
                        p.get(name + ".running_var"),
                        p.get(name + ".weight"),
                        p.get(name + ".bias"),
                        1,
                        0.1f,
                        1e-5f,
                        training)
                .singletonOrThrow();
    }

    /**
     * torch.nn.GroupNorm(1, C): torch's fused layer_norm over (C, H, W) with the per-channel affine
     * expanded (a view, so its gradient sums back onto the (C) parameters).
     */
    static NDArray groupNorm1(NDArray x, TorchParameters p, String name) {
        Shape chw = x.getShape().slice(1);
        long c = chw.get(0);
        NDArray gamma = p.get(name + ".weight").reshape(c, 1, 1).broadcast(chw);
        NDArray beta = p.get(name + ".bias").reshape(c, 1, 1).broadcast(chw);
        return x.getNDArrayInternal().layerNorm(x, chw, gamma, beta, 1e-5f).singletonOrThrow();
    }

    static NDArray relu(NDArray x) {
        return x.getNDArrayInternal().relu();
    }

    /** avg_pool2d(k, s), no padding. */
    static NDArray avgPool(NDArray x, int kernel, int stride) {
        return Pool.avgPool2d(x, new Shape(kernel, kernel), new Shape(stride, stride), new Shape(0, 0), false, true);
    }

    /** amdim's {@code F.pad(x, (0, 0, 0, 0, 0, out - in))}: zero channels appended. */
    static NDArray padChannels(NDArray x, long out) {
        Shape s = x.getShape();
        NDArray zeros = x.getManager().zeros(new Shape(s.get(0), out - s.get(1), s.get(2), s.get(3)), x.getDataType());
        return x.concat(zeros, 1);
    }
}

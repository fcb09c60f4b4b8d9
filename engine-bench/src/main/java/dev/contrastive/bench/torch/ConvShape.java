package dev.contrastive.bench.torch;

/**
 * One convolution call of an encoder's forward pass: input (n, cIn, h, w), weights (cOut, cIn, kH,
 * kW), stride and zero padding; recorded by {@link ConvTrace} so the conv op throughput can be
 * measured on exactly the layer shapes an encoder runs.
 */
public record ConvShape(long n, long cIn, long h, long w, long cOut, long kH, long kW, int stride, int padH, int padW) {

    public long outH() {
        return (h + 2L * padH - kH) / stride + 1;
    }

    public long outW() {
        return (w + 2L * padW - kW) / stride + 1;
    }

    /** Forward multiply-adds times two: 2 N Cout Hout Wout Cin Kh Kw. */
    public double forwardFlops() {
        return 2.0 * n * cOut * outH() * outW() * cIn * kH * kW;
    }

    /** Backward: the input gradient and the weight gradient, each as many FLOPs as the forward. */
    public double backwardFlops() {
        return 2 * forwardFlops();
    }
}

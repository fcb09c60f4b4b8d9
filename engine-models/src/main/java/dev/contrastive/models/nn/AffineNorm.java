package dev.contrastive.models.nn;

import dev.contrastive.core.layers.NativeLayers;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link BatchNorm2d} and {@link LayerNorm} share: NCHW input normalised (each its own way),
 * then a per-channel affine ({@code name.weight} gamma, initially 1; {@code name.bias} beta,
 * initially 0), optionally fused with the ReLU that follows it; and the choice, per forward call,
 * between the fused native kernels (float32 contiguous NCHW input on the CPU backend, {@link
 * NativeLayers#usable}) and the ND4J ops, which a {@link Relu} module follows when the ReLU is fused.
 */
abstract class AffineNorm implements Module {

    final Arena arena;
    final int channels;
    final Parameters.Tensor gamma;
    final Parameters.Tensor beta;

    /** "batch norm" or "layer norm", for error messages. */
    private final String kind;

    /** The fused ReLU on the ND4J path; null when the ReLU is not fused. */
    private final Relu relu;

    private boolean nativeLast;
    // ND4J path cache: the normalised input and the inverse standard deviations.
    INDArray xhat;
    INDArray invStdArray;
    // Native path cache: the input (the statistics and the affine are the subclass's).
    INDArray input;

    AffineNorm(String kind, Parameters params, Arena arena, String name, int channels, boolean fusedRelu) {
        if (channels < 1) {
            throw new IllegalArgumentException(name + ".channels must be >= 1, got " + channels);
        }
        this.kind = kind;
        this.arena = arena;
        this.channels = channels;
        long[] shape = {channels};
        gamma = params.declare(name + ".weight", shape, Init.constant(channels, 1));
        beta = params.declare(name + ".bias", shape, Init.constant(channels, 0));
        relu = fusedRelu ? new Relu(arena) : null;
    }

    /** Whether the ReLU that follows is fused into this module. */
    public final boolean fusedRelu() {
        return relu != null;
    }

    @Override
    public final INDArray forward(INDArray x, boolean training) {
        if (x.rank() != 4 || x.size(1) != channels) {
            throw new IllegalArgumentException(
                    kind + " input must be (N, " + channels + ", H, W), got shape " + Arrays.toString(x.shape()));
        }
        beforeForward(x, training);
        nativeLast = NativeLayers.usable(x);
        if (nativeLast) {
            input = x;
            xhat = null;
            invStdArray = null;
            INDArray y = arena.own(x.ulike());
            forwardNative(x, training, y);
            return y;
        }
        input = null;
        xhat = normalizeNd4j(x, training);
        INDArray scaled = Channels.mul(xhat, gamma.value());
        INDArray y = arena.own(Channels.add(scaled, beta.value()));
        scaled.close();
        return relu == null ? y : relu.forward(y, training);
    }

    @Override
    public final INDArray backward(INDArray dy) {
        if (!nativeLast) {
            return backwardNd4j(relu == null ? dy : relu.backward(dy));
        }
        INDArray g = arena.nativeReadable(dy);
        INDArray dx = arena.own(input.ulike());
        double[] dGamma = new double[channels];
        double[] dBeta = new double[channels];
        backwardNative(g, dx, dGamma, dBeta);
        Channels.addInto(gamma.grad(), dGamma);
        Channels.addInto(beta.grad(), dBeta);
        return dx;
    }

    /** The normalisation and the affine ({@link #emitNorm}), then Relu when it is fused. */
    @Override
    public final String emit(OnnxGraph g, String input) {
        String y = emitNorm(g, input);
        return relu == null ? y : relu.emit(g, y);
    }

    /** The ND4J path's per-channel parameter gradients of one backward; closing frees them. */
    record AffineGradients(INDArray dGamma, INDArray dBeta) implements AutoCloseable {
        @Override
        public void close() {
            dGamma.close();
            dBeta.close();
        }
    }

    /**
     * The affine's parameter gradients on the ND4J path, the same for every normalisation: dGamma =
     * sum(dy * xhat) and dBeta = sum(dy) over N, H, W, added to the accumulators and returned for a
     * backward that reads them.
     */
    final AffineGradients addAffineGradients(INDArray dy) {
        INDArray dyXhat = dy.mul(xhat);
        INDArray dGamma = Channels.sum(dyXhat);
        dyXhat.close();
        INDArray dBeta = Channels.sum(dy);
        gamma.grad().addi(dGamma);
        beta.grad().addi(dBeta);
        return new AffineGradients(dGamma, dBeta);
    }

    /** Refuses what this normalisation cannot take beyond the shape, and notes the mode; none here. */
    void beforeForward(INDArray x, boolean training) {}

    /**
     * The native path: writes the affine of the normalised {@code x} (with the ReLU when fused) into
     * {@code y}, keeping what {@link #backwardNative} needs.
     */
    abstract void forwardNative(INDArray x, boolean training, INDArray y);

    /**
     * The ND4J path's normalised input (x - mean) / std, owned by the arena; sets {@link
     * #invStdArray} for the backward.
     */
    abstract INDArray normalizeNd4j(INDArray x, boolean training);

    /**
     * The native path's backward of the last forward (ReLU mask included): writes the input gradient
     * into {@code dx} and the per-channel parameter gradients into {@code dGamma} and {@code dBeta}.
     */
    abstract void backwardNative(INDArray dy, INDArray dx, double[] dGamma, double[] dBeta);

    /**
     * The ND4J path's backward of the last forward, {@code dy} already masked by the ReLU: adds the
     * parameter gradients and returns the input gradient, owned by the arena.
     */
    abstract INDArray backwardNd4j(INDArray dy);

    /** The evaluation-mode normalisation and affine as ONNX ops, without the fused ReLU. */
    abstract String emitNorm(OnnxGraph g, String input);
}

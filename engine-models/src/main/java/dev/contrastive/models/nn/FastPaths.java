package dev.contrastive.models.nn;

import dev.contrastive.core.layers.NativeLayers;

/**
 * One switch for every shape- or platform-specific fast path of a training step: convolutions with
 * a 1 x 1 output as gemms, the deconvolution backward of wide 3x3 convolutions and the weight-only
 * gradient of first layers ({@link Conv2d}), and the native CPU kernels ({@link NativeLayers}:
 * batch norm, layer norm and ReLU in {@link BatchNorm2d}, {@link LayerNorm} and {@link Relu}; and
 * the one-sweep Adam update, {@code NativeAdam}, which follows the same switch). They are on by
 * default; switching them off runs every layer on its plain libnd4j ops, the reference the fast
 * paths are tested and benchmarked against. Process-wide; set it before the steps it should affect,
 * not while another thread is training.
 */
public final class FastPaths {

    private FastPaths() {}

    public static void setEnabled(boolean on) {
        Conv2d.setFastPaths(on);
        if (NativeLayers.isLoaded()) {
            NativeLayers.setEnabled(on);
        }
    }

    /**
     * Whether the fast paths are on (the default; the native kernels only where their library loads).
     */
    public static boolean enabled() {
        return Conv2d.fastPaths() && (NativeLayers.isEnabled() || !NativeLayers.isLoaded());
    }
}

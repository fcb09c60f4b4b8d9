package dev.contrastive.models.nn;

/**
 * One switch for every shape- or platform-specific fast path of the layers: convolutions with a
 * 1 x 1 output as gemms and the deconvolution backward of wide 3x3 convolutions ({@link Conv2d}).
 * They are on by default; switching them off runs every layer on its plain libnd4j ops, the
 * reference the fast paths are tested and benchmarked against. Process-wide; set it before the
 * steps it should affect, not while another thread is training.
 */
public final class FastPaths {

  private FastPaths() {}

  public static void setEnabled(boolean on) {
    Conv2d.setFastPaths(on);
  }

  /** Whether the fast paths are on (the default). */
  public static boolean enabled() {
    return Conv2d.fastPaths();
  }
}

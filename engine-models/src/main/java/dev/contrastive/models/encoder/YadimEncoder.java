package dev.contrastive.models.encoder;

import dev.contrastive.models.nn.Parameters;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * YADIM (Falcon and Cho 2020): the AMDIM encoder, of which only the last feature map feeds the loss
 * (YadimLoss compares last with last instead of AMDIM's 1->5, 1->7 and 5->5).
 *
 * <p>Which map is "last" is a parameter: {@link Tap#R1}, the encoder's final 1x1 output, is the
 * literal reading and the default of the factories; {@link Tap#R5} or {@link Tap#R7} give YadimLoss
 * a multi-location map, for which it samples one source location per image. The other taps are
 * still computed in forward (the encoder's structure does not change) but receive no gradient.
 */
public final class YadimEncoder implements AutoCloseable {

  /** The AMDIM tap used as YADIM's last map. */
  public enum Tap {
    R1,
    R5,
    R7
  }

  private final AmdimEncoder amdim;
  private final Tap tap;

  private YadimEncoder(AmdimEncoder amdim, Tap tap) {
    if (tap == null) {
      throw new IllegalArgumentException("yadim.tap must be R1, R5 or R7, got null");
    }
    this.amdim = amdim;
    this.tap = tap;
  }

  public static YadimEncoder create(AmdimConfig config, Tap tap, DataType dataType, long seed) {
    return new YadimEncoder(AmdimEncoder.create(config, dataType, seed), tap);
  }

  /** Same parameters, separate forward cache (one per view). */
  public YadimEncoder replica() {
    return new YadimEncoder(amdim.replica(), tap);
  }

  public Tap tap() {
    return tap;
  }

  public AmdimConfig config() {
    return amdim.config();
  }

  public Parameters parameters() {
    return amdim.parameters();
  }

  /** The last map (B, n_rkhs, s, s) with s = 1, 5 or 7 by tap; owned by this instance. */
  public INDArray forward(INDArray x, boolean training) {
    AmdimFeatures f = amdim.forward(x, training);
    return switch (tap) {
      case R1 -> f.r1();
      case R5 -> f.r5();
      case R7 -> f.r7();
    };
  }

  /** Back-propagates the loss gradient of the last map; returns the input gradient. */
  public INDArray backward(INDArray dLast) {
    if (dLast == null) {
      throw new IllegalArgumentException("yadim encoder backward needs the last map's gradient");
    }
    return switch (tap) {
      case R1 -> amdim.backward(dLast, null, null);
      case R5 -> amdim.backward(null, dLast, null);
      case R7 -> amdim.backward(null, null, dLast);
    };
  }

  @Override
  public void close() {
    amdim.close();
  }
}

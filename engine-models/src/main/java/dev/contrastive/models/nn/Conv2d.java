package dev.contrastive.models.nn;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * 2-D convolution, NCHW, weights (out, in, kH, kW) like torch, optional bias, zero or reflect
 * padding. Forward is libnd4j's {@code conv2d}, backward its {@code conv2d_bp}; reflect padding is
 * applied before the op by {@link ReflectPad} and folded back after {@code conv2d_bp}.
 *
 * <p>Op arguments (libnd4j conv2d.cpp): inputs (input, weights[, bias]); iArgs kH, kW, sH, sW, pH,
 * pW, dH, dW, isSameMode (0 = explicit padding), dataFormat (0 = NCHW), weightFormat (1 = [oC, iC,
 * kH, kW]). conv2d_bp takes (input, weights[, bias], gradO) and returns (gradI, gradW[, gradB]).
 */
public final class Conv2d implements Module {

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
  private INDArray input;

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
    this(params, arena, name, inChannels, outChannels, kernel, kernel, stride, padding, padding, withBias, padMode,
        rnd, weightInit);
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
    this.kH = kH;
    this.kW = kW;
    this.stride = stride;
    this.pH = pH;
    this.pW = pW;
    this.padMode = padMode;
    long fanIn = (long) inChannels * kH * kW;
    long[] wShape = {outChannels, inChannels, kH, kW};
    this.weight =
        params.declare(
            name + ".weight",
            wShape,
            weightInit != null ? weightInit : Init.kaimingUniformSqrt5(outChannels * fanIn, fanIn, rnd));
    this.bias =
        withBias
            ? params.declare(
                name + ".bias", new long[] {outChannels}, Init.defaultBias(outChannels, fanIn, rnd))
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

  @Override
  public INDArray forward(INDArray x, boolean training) {
    input = reflect != null ? reflect.forward(x, training) : x;
    // One addInputs call: the builder replaces, not appends, on a second call.
    INDArray[] inputs =
        bias != null
            ? new INDArray[] {input, weight.value(), bias.value()}
            : new INDArray[] {input, weight.value()};
    INDArray[] out =
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(inputs).addIntegerArguments(iArgs()).build());
    return arena.own(out[0]);
  }

  @Override
  public INDArray backward(INDArray dy) {
    INDArray[] inputs =
        bias != null
            ? new INDArray[] {input, weight.value(), bias.value(), dy}
            : new INDArray[] {input, weight.value(), dy};
    INDArray[] grads =
        Nd4j.exec(
            DynamicCustomOp.builder("conv2d_bp").addInputs(inputs).addIntegerArguments(iArgs()).build());
    weight.grad().addi(grads[1]);
    grads[1].close();
    if (bias != null) {
      bias.grad().addi(grads[2].reshape(bias.grad().shape()));
      grads[2].close();
    }
    INDArray dx = arena.own(grads[0]);
    return reflect != null ? reflect.backward(dx) : dx;
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

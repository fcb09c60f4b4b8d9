package dev.contrastive.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Layer norm for conv features, CPC v2's replacement of batch norm: each sample normalised over
 * (C, H, W), then a per-channel affine, i.e. torch's {@code GroupNorm(1, C)}, eps 1e-5. Per-sample
 * statistics keep the patch vectors of one image independent of the rest of the batch, which is
 * why CPC v2 uses it. Same computation in training and eval.
 *
 * <p>Backward: {@code dxhat = dy * gamma}; {@code dx = invStd * (dxhat - mean(dxhat) - xhat *
 * mean(dxhat * xhat))} with the means per sample.
 *
 * <p>Parameters: {@code name.weight} (1), {@code name.bias} (0), shape (C).
 */
public final class LayerNorm implements Module {

  public static final double EPS = 1e-5;

  private final Arena arena;
  private final Parameters.Tensor gamma;
  private final Parameters.Tensor beta;
  private INDArray xhat;
  private INDArray invStd;

  public LayerNorm(Parameters params, Arena arena, String name, int channels) {
    if (channels < 1) {
      throw new IllegalArgumentException(name + ".channels must be >= 1, got " + channels);
    }
    this.arena = arena;
    gamma = params.declare(name + ".weight", new long[] {channels}, Init.constant(channels, 1));
    beta = params.declare(name + ".bias", new long[] {channels}, Init.constant(channels, 0));
  }

  @Override
  public INDArray forward(INDArray x, boolean training) {
    INDArray mean = arena.own(x.mean(1, 2, 3));
    INDArray centred = arena.own(Channels.subPerSample(x, mean));
    INDArray sq = centred.mul(centred);
    INDArray var = arena.own(sq.mean(1, 2, 3));
    sq.close();
    invStd = arena.own(Transforms.pow(var.add(EPS), -0.5, false));
    xhat = arena.own(Channels.mulPerSample(centred, invStd));
    INDArray scaled = Channels.mul(xhat, gamma.value());
    INDArray y = arena.own(Channels.add(scaled, beta.value()));
    scaled.close();
    return y;
  }

  @Override
  public INDArray backward(INDArray dy) {
    INDArray dyXhat = dy.mul(xhat);
    INDArray dGamma = Channels.sum(dyXhat);
    INDArray dBeta = Channels.sum(dy);
    gamma.grad().addi(dGamma);
    beta.grad().addi(dBeta);
    INDArray dxhat = Channels.mul(dy, gamma.value());
    INDArray meanDxhat = dxhat.mean(1, 2, 3);
    INDArray prod = dxhat.mul(xhat);
    INDArray meanProd = prod.mean(1, 2, 3);
    INDArray t1 = Channels.subPerSample(dxhat, meanDxhat);
    INDArray t2 = Channels.mulPerSample(xhat, meanProd);
    t1.subi(t2);
    INDArray dx = arena.own(Channels.mulPerSample(t1, invStd));
    for (INDArray a : new INDArray[] {dyXhat, dGamma, dBeta, dxhat, meanDxhat, prod, meanProd, t1, t2}) {
      a.close();
    }
    return dx;
  }
}

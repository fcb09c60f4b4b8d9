package dev.contrastive.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * torch.nn.BatchNorm2d(C, affine=True), eps 1e-5, momentum 0.1, written with ND4J reductions.
 *
 * <p>Training: normalises with the batch mean and biased variance over (N, H, W) and updates the
 * running statistics with the unbiased variance, as torch does. Eval: normalises with the running
 * statistics. Backward is the analytic gradient for whichever mode the last forward used:
 * training {@code dx = gamma * invStd * (dy - mean(dy) - xhat * mean(dy * xhat))}, eval
 * {@code dx = gamma * invStd * dy}. Not libnd4j's {@code batchnorm_bp}: SameDiff batch norm
 * backprop has open bug reports in M2.1, and the reductions are cheap next to the convolutions.
 *
 * <p>Parameters: {@code name.weight} (gamma, 1), {@code name.bias} (beta, 0); buffers
 * {@code name.running_mean} (0), {@code name.running_var} (1).
 */
public final class BatchNorm2d implements Module {

  public static final double EPS = 1e-5;
  public static final double MOMENTUM = 0.1;

  private final Arena arena;
  private final Parameters.Tensor gamma;
  private final Parameters.Tensor beta;
  private final Parameters.Tensor runningMean;
  private final Parameters.Tensor runningVar;
  private INDArray xhat;
  private INDArray invStd;
  private boolean trainedLast;

  public BatchNorm2d(Parameters params, Arena arena, String name, int channels) {
    if (channels < 1) {
      throw new IllegalArgumentException(name + ".channels must be >= 1, got " + channels);
    }
    this.arena = arena;
    long[] shape = {channels};
    gamma = params.declare(name + ".weight", shape, Init.constant(channels, 1));
    beta = params.declare(name + ".bias", shape, Init.constant(channels, 0));
    runningMean = params.declareBuffer(name + ".running_mean", shape, Init.constant(channels, 0));
    runningVar = params.declareBuffer(name + ".running_var", shape, Init.constant(channels, 1));
  }

  public Parameters.Tensor weight() {
    return gamma;
  }

  public Parameters.Tensor bias() {
    return beta;
  }

  @Override
  public INDArray forward(INDArray x, boolean training) {
    trainedLast = training;
    INDArray centred;
    if (training) {
      long m = x.length() / x.size(1);
      if (m < 2) {
        // torch refuses too: the variance of one value is undefined and the output would be beta.
        throw new IllegalArgumentException(
            "batch norm in training needs more than one value per channel, got shape "
                + java.util.Arrays.toString(x.shape()));
      }
      INDArray mean = arena.own(x.mean(0, 2, 3));
      centred = arena.own(Channels.sub(x, mean));
      INDArray sq = centred.mul(centred);
      INDArray var = arena.own(sq.mean(0, 2, 3));
      sq.close();
      runningMean.value().muli(1 - MOMENTUM).addi(mean.mul(MOMENTUM));
      runningVar.value().muli(1 - MOMENTUM).addi(var.mul(MOMENTUM * m / (m - 1.0)));
      invStd = arena.own(Transforms.pow(var.add(EPS), -0.5, false));
    } else {
      centred = arena.own(Channels.sub(x, runningMean.value()));
      invStd = arena.own(Transforms.pow(runningVar.value().add(EPS), -0.5, false));
    }
    xhat = arena.own(Channels.mul(centred, invStd));
    INDArray scaled = Channels.mul(xhat, gamma.value());
    INDArray y = arena.own(Channels.add(scaled, beta.value()));
    scaled.close();
    return y;
  }

  @Override
  public INDArray backward(INDArray dy) {
    INDArray dBeta = Channels.sum(dy);
    INDArray dyXhat = dy.mul(xhat);
    INDArray dGamma = Channels.sum(dyXhat);
    dyXhat.close();
    beta.grad().addi(dBeta);
    gamma.grad().addi(dGamma);
    INDArray scale = gamma.value().mul(invStd);
    INDArray dx;
    if (trainedLast) {
      double m = dy.length() / dy.size(1);
      INDArray meanDy = dBeta.div(m);
      INDArray meanDyXhat = dGamma.div(m);
      INDArray t1 = Channels.sub(dy, meanDy);
      INDArray t2 = Channels.mul(xhat, meanDyXhat);
      t1.subi(t2);
      dx = Channels.mul(t1, scale);
      for (INDArray a : new INDArray[] {meanDy, meanDyXhat, t1, t2}) {
        a.close();
      }
    } else {
      dx = Channels.mul(dy, scale);
    }
    dBeta.close();
    dGamma.close();
    scale.close();
    return arena.own(dx);
  }
}

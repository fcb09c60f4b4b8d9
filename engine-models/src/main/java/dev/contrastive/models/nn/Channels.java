package dev.contrastive.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-channel (axis 1) or per-sample (axis 0) broadcasts and reductions on NCHW arrays; each
 * returns a new array.
 */
final class Channels {

  private Channels() {}

  /** x[:, c] - v[c]. */
  static INDArray sub(INDArray x, INDArray v) {
    return Nd4j.getExecutioner().exec(new BroadcastSubOp(x, v, x.ulike(), 1));
  }

  /** x[:, c] * v[c]. */
  static INDArray mul(INDArray x, INDArray v) {
    return Nd4j.getExecutioner().exec(new BroadcastMulOp(x, v, x.ulike(), 1));
  }

  /** x[:, c] + v[c]. */
  static INDArray add(INDArray x, INDArray v) {
    return Nd4j.getExecutioner().exec(new BroadcastAddOp(x, v, x.ulike(), 1));
  }

  /** x[b, ...] - v[b]. */
  static INDArray subPerSample(INDArray x, INDArray v) {
    return Nd4j.getExecutioner().exec(new BroadcastSubOp(x, v, x.ulike(), 0));
  }

  /** x[b, ...] * v[b]. */
  static INDArray mulPerSample(INDArray x, INDArray v) {
    return Nd4j.getExecutioner().exec(new BroadcastMulOp(x, v, x.ulike(), 0));
  }

  /** Sum over N, H, W: shape (C). */
  static INDArray sum(INDArray x) {
    return x.sum(0, 2, 3);
  }
}

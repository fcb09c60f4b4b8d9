package dev.contrastive.bench.torch;

import ai.djl.ndarray.NDArray;
import dev.contrastive.models.method.simclr.SimClrConfig;

/**
 * SimCLR's model in PyTorch (through DJL), layer for layer as {@code
 * models.method.simclr.SimClrMethod} builds it, over a {@link TorchParameters} copy of that
 * method's parameters (same names): the trunk is {@link TorchAmdimEncoder} run without its r5 / r7
 * heads (our trunk is declared without them), its r1 (B, n_rkhs, 1, 1) the representation; the
 * projection head is SimCLR v2's MLP as 1x1 convolutions, {@code head.fc1} (no bias), batch norm
 * {@code head.bn1.bn} (batch statistics in training), ReLU, {@code head.fc2} (with bias), flattened
 * to (B, projection). Autograd differentiates it. NT-Xent on the projections is {@link
 * TorchLosses#infoNceGraph}; the probes would read the representation, before the head.
 */
public final class TorchSimClr {

    private final SimClrConfig config;
    private final TorchParameters p;
    private final TorchAmdimEncoder trunk;

    public TorchSimClr(SimClrConfig config, TorchParameters params) {
        this.config = config;
        this.p = params;
        this.trunk = new TorchAmdimEncoder(config.trunk(), params);
    }

    public SimClrConfig config() {
        return config;
    }

    /**
     * The trunk's r1 of {@code x} (B, C, 32, 32): (B, n_rkhs, 1, 1); the r5 / r7 heads are not run.
     */
    public NDArray representation(NDArray x, boolean training) {
        return trunk.forward(x, training, false).get("r1");
    }

    /** The projection head on a representation (B, n_rkhs, 1, 1): (B, projection). */
    public NDArray project(NDArray representation, boolean training) {
        NDArray h = TorchOps.conv(representation, p.get("head.fc1.weight"), null, 1, 0, 0);
        h = TorchOps.relu(TorchOps.batchNorm(h, p, "head.bn1.bn", training));
        h = TorchOps.conv(h, p.get("head.fc2.weight"), p.get("head.fc2.bias"), 1, 0, 0);
        return h.reshape(h.getShape().get(0), config.projection());
    }

    /** Trunk then head: the (B, projection) rows NT-Xent compares. */
    public NDArray forward(NDArray x, boolean training) {
        return project(representation(x, training), training);
    }
}

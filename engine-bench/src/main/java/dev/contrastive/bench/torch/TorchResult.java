package dev.contrastive.bench.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.contrastive.core.loss.LossValues;
import java.util.Map;

/**
 * Loss, parts and gradients of one PyTorch loss call, named as in the fused losses. The gradients
 * live in a manager of their own, so {@link #close()} frees them without touching the inputs.
 */
public final class TorchResult extends LossValues<NDArray> {

    private final NDManager owner;

    TorchResult(double loss, Map<String, Double> parts, Map<String, NDArray> gradients, NDManager owner) {
        super(loss, parts, gradients);
        this.owner = owner;
    }

    @Override
    public void close() {
        owner.close();
    }
}

package dev.contrastive.bench.materialized;

import dev.contrastive.core.loss.LossValues;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Loss, parts and gradients of one materialised loss call, named as in the fused losses; the loss
 * is the sum of the parts. {@link #close()} frees the gradients.
 */
public final class MaterializedResult extends LossValues<INDArray> {

    MaterializedResult(Map<String, Double> parts, Map<String, INDArray> gradients) {
        super(parts.values().stream().mapToDouble(Double::doubleValue).sum(), parts, gradients);
    }

    @Override
    public void close() {
        gradients().values().forEach(INDArray::close);
    }
}

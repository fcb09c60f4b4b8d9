package dev.contrastive.models.method.amdim;

import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.encoder.AmdimFeatures;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * AMDIM's step: the encoder on view A and a weight-sharing replica on view B ({@link
 * AmdimEncoderMethod}), the fused {@link AmdimLoss} over the taps r1, r5 and r7 with source
 * locations drawn from the step's seed, and the backward pass of both views.
 */
public final class AmdimMethod extends AmdimEncoderMethod<AmdimMethodConfig> {

    private final AmdimLoss loss;

    /**
     * @param dataType FLOAT to train (checkpoints are float32); DOUBLE for gradient checks
     * @param seed seed of the initial weights
     */
    public AmdimMethod(AmdimMethodConfig config, DataType dataType, long seed) {
        super(config, true, dataType, seed);
        this.loss = new AmdimLoss(config.loss());
    }

    /** The maps {@code a_<tap>} and {@code b_<tap>}, as AmdimLoss names its gradients. */
    @Override
    protected Map<String, INDArray> maps(long step, AmdimFeatures a, AmdimFeatures b) {
        Map<String, INDArray> maps = new LinkedHashMap<>();
        a.asMap().forEach((tap, map) -> putFinite(maps, step, "a_" + tap, "a_" + tap, map));
        b.asMap().forEach((tap, map) -> putFinite(maps, step, "b_" + tap, "b_" + tap, map));
        return maps;
    }

    @Override
    public LossResult loss(Map<String, INDArray> maps, Shard shard, long lossSeed) {
        return loss.compute(view(maps, "a_"), view(maps, "b_"), SourceSampler.random(lossSeed), shard);
    }

    @Override
    protected void backward(AmdimEncoder encoder, Map<String, INDArray> g, String view) {
        encoder.backwardToParameters(g.get(view + "_r1"), g.get(view + "_r5"), g.get(view + "_r7"));
    }

    /** The maps of one view, without their view prefix. */
    private static Map<String, INDArray> view(Map<String, INDArray> maps, String prefix) {
        Map<String, INDArray> view = new LinkedHashMap<>();
        maps.forEach((name, map) -> {
            if (name.startsWith(prefix)) {
                view.put(name.substring(prefix.length()), map);
            }
        });
        return view;
    }
}

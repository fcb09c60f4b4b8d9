package dev.contrastive.models.method.yadim;

import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.core.loss.YadimLoss;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.encoder.AmdimFeatures;
import dev.contrastive.models.method.amdim.AmdimEncoderMethod;
import dev.contrastive.models.method.yadim.YadimMethodConfig.Tap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * YADIM's step: the AMDIM encoder on both views (a replica for view B, {@link AmdimEncoderMethod}),
 * {@link YadimLoss} on the two last maps, and the backward pass from that map alone. With r1 as the
 * last map and probes on r1, the encoder has no r5 and r7 heads at all; otherwise the unused taps
 * receive no gradient.
 */
public final class YadimMethod extends AmdimEncoderMethod<YadimMethodConfig> {

    private final YadimLoss loss;

    /**
     * @param dataType FLOAT to train (checkpoints are float32); DOUBLE for gradient checks
     * @param seed seed of the initial weights
     */
    public YadimMethod(YadimMethodConfig config, DataType dataType, long seed) {
        super(config, tapHeads(config), dataType, seed);
        this.loss = new YadimLoss(config.loss());
    }

    /** The encoder has, and the step computes, what the loss and the probes read, nothing more. */
    private static boolean tapHeads(YadimMethodConfig config) {
        return config.last() != Tap.R1 || config.probe().needsTapHeads();
    }

    /** The last maps {@code a} and {@code b}, as YadimLoss names its gradients. */
    @Override
    protected Map<String, INDArray> maps(long step, AmdimFeatures a, AmdimFeatures b) {
        return finitePair(step, "last", last(a), last(b));
    }

    @Override
    public LossResult loss(Map<String, INDArray> maps, Shard shard, long lossSeed) {
        return loss.compute(maps.get("a"), maps.get("b"), SourceSampler.random(lossSeed), shard);
    }

    @Override
    protected void backward(AmdimEncoder encoder, Map<String, INDArray> g, String view) {
        INDArray dLast = g.get(view);
        switch (config().last()) {
            case R1 -> encoder.backwardToParameters(dLast, null, null);
            case R5 -> encoder.backwardToParameters(null, dLast, null);
            case R7 -> encoder.backwardToParameters(null, null, dLast);
        }
    }

    private INDArray last(AmdimFeatures f) {
        return switch (config().last()) {
            case R1 -> f.r1();
            case R5 -> f.r5();
            case R7 -> f.r7();
        };
    }
}

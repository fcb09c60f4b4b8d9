package dev.contrastive.models.method.yadim;

import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.core.loss.YadimLoss;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.encoder.AmdimFeatures;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.StepChecks;
import dev.contrastive.models.method.yadim.YadimMethodConfig.Tap;
import dev.contrastive.models.nn.OnnxGraph;
import dev.contrastive.models.nn.Parameters;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * YADIM's step: the AMDIM encoder on both views (a replica for view B), {@link YadimLoss} on the
 * two last maps, and the backward pass from that map alone. With r1 as the last map and probes on
 * r1, the encoder has no r5 and r7 heads at all; otherwise the unused taps receive no gradient.
 */
public final class YadimMethod implements Method {

    private final YadimMethodConfig config;
    private final AmdimEncoder model;
    private final AmdimEncoder replica;
    private final YadimLoss loss;

    /** View A's taps of the last forward, for the probe features. */
    private AmdimFeatures lastA;

    /** The encoder has, and the step computes, what the loss and the probes read, nothing more. */
    private final boolean tapHeads;

    /**
     * @param dataType FLOAT to train (checkpoints are float32); DOUBLE for gradient checks
     * @param seed seed of the initial weights
     */
    public YadimMethod(YadimMethodConfig config, DataType dataType, long seed) {
        this.config = config;
        this.tapHeads = config.last() != Tap.R1 || config.probe().needsTapHeads();
        this.model = AmdimEncoder.create(config.encoder(), dataType, seed, tapHeads);
        this.replica = model.replica();
        this.loss = new YadimLoss(config.loss());
    }

    @Override
    public YadimMethodConfig config() {
        return config;
    }

    @Override
    public Parameters parameters() {
        return model.parameters();
    }

    @Override
    public int views() {
        return 2;
    }

    /** The last maps {@code a} and {@code b}, as YadimLoss names its gradients. */
    @Override
    public Map<String, INDArray> forward(long step, INDArray viewA, INDArray viewB, boolean training) {
        lastA = model.forward(viewA, training, tapHeads);
        INDArray a = last(lastA);
        INDArray b = last(replica.forward(viewB, training, tapHeads));
        StepChecks.requireFiniteOutput(step, "a_last", a);
        StepChecks.requireFiniteOutput(step, "b_last", b);
        Map<String, INDArray> maps = new LinkedHashMap<>();
        maps.put("a", a);
        maps.put("b", b);
        return maps;
    }

    @Override
    public LossResult loss(Map<String, INDArray> maps, Shard shard, long lossSeed) {
        return loss.compute(maps.get("a"), maps.get("b"), SourceSampler.random(lossSeed), shard);
    }

    @Override
    public void backward(Map<String, INDArray> g) {
        backward(model, g.get("a"));
        backward(replica, g.get("b"));
    }

    @Override
    public INDArray probeFeatures() {
        return config.probe().features(lastA);
    }

    @Override
    public INDArray features(INDArray images) {
        return config.probe()
                .features(model.forward(images, false, config.probe().needsTapHeads()));
    }

    @Override
    public int featureDim() {
        return config.probe().dim(config.encoder());
    }

    @Override
    public String exportFeatures(OnnxGraph g, String images) {
        return config.probe().export(g, model.export(g, images, config.probe().needsTapHeads()));
    }

    private INDArray last(AmdimFeatures f) {
        return switch (config.last()) {
            case R1 -> f.r1();
            case R5 -> f.r5();
            case R7 -> f.r7();
        };
    }

    private void backward(AmdimEncoder encoder, INDArray dLast) {
        switch (config.last()) {
            case R1 -> encoder.backwardToParameters(dLast, null, null);
            case R5 -> encoder.backwardToParameters(null, dLast, null);
            case R7 -> encoder.backwardToParameters(null, null, dLast);
        }
    }

    @Override
    public void close() {
        replica.close();
        model.close();
    }
}

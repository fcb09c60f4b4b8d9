package dev.contrastive.models.method.amdim;

import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.encoder.AmdimFeatures;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.StepChecks;
import dev.contrastive.models.nn.OnnxGraph;
import dev.contrastive.models.nn.Parameters;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * AMDIM's step: the encoder on view A and a weight-sharing replica on view B (batch statistics per
 * view, as amdim-public calls its encoder once per view), the fused {@link AmdimLoss} over the taps
 * r1, r5 and r7 with source locations drawn from the step's seed, and the backward pass of both
 * views.
 */
public final class AmdimMethod implements Method {

    private final AmdimMethodConfig config;
    private final AmdimEncoder model;
    private final AmdimEncoder replica;
    private final AmdimLoss loss;

    /** View A's taps of the last forward, for the probe features. */
    private AmdimFeatures lastA;

    /**
     * @param dataType FLOAT to train (checkpoints are float32); DOUBLE for gradient checks
     * @param seed seed of the initial weights
     */
    public AmdimMethod(AmdimMethodConfig config, DataType dataType, long seed) {
        this.config = config;
        this.model = AmdimEncoder.create(config.encoder(), dataType, seed);
        this.replica = model.replica();
        this.loss = new AmdimLoss(config.loss());
    }

    /** The encoder (view A's instance), for benchmarks and profiles of its layers. */
    public AmdimEncoder encoder() {
        return model;
    }

    @Override
    public AmdimMethodConfig config() {
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

    @Override
    public Map<String, INDArray> forward(long step, INDArray viewA, INDArray viewB, boolean training) {
        lastA = model.forward(viewA, training);
        AmdimFeatures b = replica.forward(viewB, training);
        Map<String, INDArray> maps = new LinkedHashMap<>();
        // Checked here rather than left to the loss, whose input validation would name no step.
        for (Map.Entry<String, INDArray> tap : lastA.asMap().entrySet()) {
            StepChecks.requireFiniteOutput(step, "a_" + tap.getKey(), tap.getValue());
            maps.put("a_" + tap.getKey(), tap.getValue());
        }
        for (Map.Entry<String, INDArray> tap : b.asMap().entrySet()) {
            StepChecks.requireFiniteOutput(step, "b_" + tap.getKey(), tap.getValue());
            maps.put("b_" + tap.getKey(), tap.getValue());
        }
        return maps;
    }

    /**
     * The maps {@code a_<tap>} and {@code b_<tap>} of {@link #forward}, as AmdimLoss names its
     * gradients.
     */
    @Override
    public LossResult loss(Map<String, INDArray> maps, Shard shard, long lossSeed) {
        return loss.compute(view(maps, "a_"), view(maps, "b_"), SourceSampler.random(lossSeed), shard);
    }

    @Override
    public void backward(Map<String, INDArray> g) {
        model.backwardToParameters(g.get("a_r1"), g.get("a_r5"), g.get("a_r7"));
        replica.backwardToParameters(g.get("b_r1"), g.get("b_r5"), g.get("b_r7"));
    }

    @Override
    public INDArray probeFeatures() {
        return config.probe().features(lastA);
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

    /** Closes both encoder instances and the parameters. */
    @Override
    public void close() {
        replica.close();
        model.close();
    }
}

package dev.contrastive.models.method.cpc;

import dev.contrastive.core.loss.CpcLoss;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.models.encoder.CpcEncoder;
import dev.contrastive.models.encoder.CpcFeatures;
import dev.contrastive.models.method.AbstractMethod;
import dev.contrastive.models.nn.OnnxGraph;
import dev.contrastive.models.nn.Parameters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * CPC v2's step: one view per image (its patches predict each other, so the second view is not
 * used), the patch encoder, context network and heads of {@link CpcEncoder}, the fused {@link
 * CpcLoss}, and the backward pass to the parameters. The probes read the patch vectors averaged
 * over the grid, the representation the paper evaluates.
 */
public final class CpcMethod extends AbstractMethod<CpcMethodConfig> {

    private final CpcEncoder model;
    private final CpcLoss loss;

    /** The outputs of the last forward, for the probe features. */
    private CpcFeatures last;

    /**
     * @param dataType FLOAT to train (checkpoints are float32); DOUBLE for gradient checks
     * @param seed seed of the initial weights
     */
    public CpcMethod(CpcMethodConfig config, DataType dataType, long seed) {
        super(config, 1);
        this.model = CpcEncoder.create(config.model(), dataType, seed);
        this.loss = new CpcLoss(config.loss());
    }

    /** The model, for benchmarks and profiles of its layers. */
    public CpcEncoder encoder() {
        return model;
    }

    @Override
    public Parameters parameters() {
        return model.parameters();
    }

    /** The maps {@code targets} and {@code pred_k<offset>}, as CpcLoss names its gradients. */
    @Override
    public Map<String, INDArray> forward(long step, INDArray viewA, INDArray viewB, boolean training) {
        last = model.forward(viewA, training);
        Map<String, INDArray> maps = new LinkedHashMap<>();
        putFinite(maps, step, "targets", "targets", last.targets());
        for (int s = 0; s < last.predictions().size(); s++) {
            putFinite(
                    maps,
                    step,
                    prediction(s),
                    "prediction " + s,
                    last.predictions().get(s));
        }
        return maps;
    }

    @Override
    public LossResult loss(Map<String, INDArray> maps, Shard shard, long lossSeed) {
        List<INDArray> predictions = new ArrayList<>();
        for (int s = 0; s < config().loss().stepsToPredict(); s++) {
            predictions.add(maps.get(prediction(s)));
        }
        return loss.compute(maps.get("targets"), predictions, shard);
    }

    @Override
    public void backward(Map<String, INDArray> g) {
        List<INDArray> dPredictions = new ArrayList<>();
        for (int s = 0; s < config().loss().stepsToPredict(); s++) {
            dPredictions.add(g.get(prediction(s)));
        }
        model.backwardToParameters(g.get("targets"), dPredictions, null);
    }

    @Override
    public INDArray probeFeatures() {
        return pooled(last);
    }

    private String prediction(int s) {
        return "pred_k" + config().loss().offset(s);
    }

    @Override
    public INDArray features(INDArray images) {
        return pooled(model.forward(images, false));
    }

    @Override
    public int featureDim() {
        return config().model().latentDim();
    }

    /** The patch vectors averaged over the grid, as {@link #features}. */
    @Override
    public String exportFeatures(OnnxGraph g, String images) {
        return g.op("ReduceMean", model.exportLatents(g, images))
                .ints("axes", 2, 3)
                .integer("keepdims", 0)
                .output();
    }

    /** The patch vectors (B, D, g, g) averaged over the grid: (B, D). */
    private static INDArray pooled(CpcFeatures f) {
        return f.latents().mean(2, 3);
    }

    @Override
    public void close() {
        model.close();
    }
}

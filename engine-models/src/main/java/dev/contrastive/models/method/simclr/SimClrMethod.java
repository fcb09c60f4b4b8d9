package dev.contrastive.models.method.simclr;

import dev.contrastive.core.loss.InfoNceLoss;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.method.AbstractMethod;
import dev.contrastive.models.nn.OnnxGraph;
import dev.contrastive.models.nn.Parameters;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SimCLR's step: trunk and projection head on each view (a replica of both for view B, so batch
 * statistics are per view), NT-Xent ({@link InfoNceLoss}: positives the other view of the same
 * image, negatives every other image of both views) on the two projections, and the backward pass
 * through the heads into the trunks. The trunk is built without the AMDIM encoder's r5 and r7
 * heads, which are not part of SimCLR.
 */
public final class SimClrMethod extends AbstractMethod<SimClrConfig> {

    private final Parameters params;
    private final AmdimEncoder trunk;
    private final AmdimEncoder trunkB;
    private final ProjectionHead head;
    private final ProjectionHead headB;
    private final InfoNceLoss loss;

    /** View A's trunk output of the last forward, for the probe features. */
    private INDArray lastRepresentation;

    /**
     * @param dataType FLOAT to train (checkpoints are float32); DOUBLE for gradient checks
     * @param seed seed of the initial weights (the trunk's, then the head's draws)
     */
    public SimClrMethod(SimClrConfig config, DataType dataType, long seed) {
        super(config, 2);
        this.params = new Parameters(dataType);
        int rep = config.trunk().nRkhs();
        this.trunk = AmdimEncoder.declare(config.trunk(), params, seed, false);
        this.head = new ProjectionHead(
                params, rep, config.hidden(), config.projection(), new SplittableRandom(seed ^ 0x5eedL));
        params.seal();
        this.trunkB = trunk.replica();
        this.headB = new ProjectionHead(params, rep, config.hidden(), config.projection(), new SplittableRandom(0));
        this.loss = new InfoNceLoss(config.loss());
    }

    @Override
    public Parameters parameters() {
        return params;
    }

    /**
     * The projections {@code a} and {@code b} (B, projection), as InfoNceLoss names its gradients.
     */
    @Override
    public Map<String, INDArray> forward(long step, INDArray viewA, INDArray viewB, boolean training) {
        lastRepresentation = trunk.forward(viewA, training, false).r1();
        INDArray za = flat(head.forward(lastRepresentation, training));
        INDArray zb = flat(headB.forward(trunkB.forward(viewB, training, false).r1(), training));
        return finitePair(step, "projection", za, zb);
    }

    @Override
    public LossResult loss(Map<String, INDArray> maps, Shard shard, long lossSeed) {
        return loss.compute(maps.get("a"), maps.get("b"), shard);
    }

    @Override
    public void backward(Map<String, INDArray> g) {
        trunk.backwardToParameters(head.backward(unflat(g.get("a"))), null, null);
        trunkB.backwardToParameters(headB.backward(unflat(g.get("b"))), null, null);
    }

    @Override
    public INDArray probeFeatures() {
        return flat(lastRepresentation);
    }

    @Override
    public INDArray features(INDArray images) {
        return flat(trunk.forward(images, false, false).r1());
    }

    @Override
    public int featureDim() {
        return config().trunk().nRkhs();
    }

    /** The trunk's r1, flattened; the projection head is training-only. */
    @Override
    public String exportFeatures(OnnxGraph g, String images) {
        return g.op("Flatten", trunk.export(g, images, false).r1())
                .integer("axis", 1)
                .output();
    }

    private static INDArray flat(INDArray x) {
        return x.reshape(x.size(0), x.length() / x.size(0));
    }

    private static INDArray unflat(INDArray x) {
        return x.reshape(x.size(0), x.size(1), 1, 1);
    }

    @Override
    public void close() {
        headB.close();
        head.close();
        trunkB.close();
        trunk.close();
        params.close();
    }
}

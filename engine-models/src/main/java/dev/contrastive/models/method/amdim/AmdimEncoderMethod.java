package dev.contrastive.models.method.amdim;

import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.encoder.AmdimFeatures;
import dev.contrastive.models.encoder.ProbeTaps;
import dev.contrastive.models.method.AbstractMethod;
import dev.contrastive.models.nn.OnnxGraph;
import dev.contrastive.models.nn.Parameters;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A two-view method on the AMDIM encoder, as AMDIM and YADIM are: the encoder on view A and a
 * weight-sharing replica on view B (batch statistics per view, as amdim-public calls its encoder
 * once per view), the probes on the taps {@link ProbeTaps} names. Subclasses choose the maps the
 * loss reads and route their gradients back.
 *
 * @param <C> the method's config record
 */
public abstract class AmdimEncoderMethod<C extends AmdimEncoderConfig> extends AbstractMethod<C> {

    private final ProbeTaps probe;
    private final AmdimEncoder model;
    private final AmdimEncoder replica;

    /** View A's taps of the last forward, for the probe features. */
    private AmdimFeatures lastA;

    /**
     * @param config the encoder (built here) and the taps the probes read
     * @param tapHeads whether the encoder has the r5 and r7 heads (see {@link AmdimEncoder#create})
     * @param dataType FLOAT to train (checkpoints are float32); DOUBLE for gradient checks
     * @param seed seed of the initial weights
     */
    protected AmdimEncoderMethod(C config, boolean tapHeads, DataType dataType, long seed) {
        super(config, 2);
        this.probe = config.probe();
        this.model = AmdimEncoder.create(config.encoder(), dataType, seed, tapHeads);
        this.replica = model.replica();
    }

    /** The encoder (view A's instance), for benchmarks and profiles of its layers. */
    public AmdimEncoder encoder() {
        return model;
    }

    /**
     * Runs the encoder on view A (its taps kept for the probe features) and the replica on view B,
     * each with every head the encoder has, and returns the maps the loss reads.
     */
    @Override
    public final Map<String, INDArray> forward(long step, INDArray viewA, INDArray viewB, boolean training) {
        lastA = model.forward(viewA, training);
        return maps(step, lastA, replica.forward(viewB, training));
    }

    /**
     * The maps the loss reads, from both views' taps, each checked to be finite ({@link
     * AbstractMethod#putFinite}).
     */
    protected abstract Map<String, INDArray> maps(long step, AmdimFeatures a, AmdimFeatures b);

    @Override
    public final void backward(Map<String, INDArray> g) {
        backward(model, g, "a");
        backward(replica, g, "b");
    }

    /**
     * Back-propagates into {@code encoder} the gradients in {@code g} of view {@code view}'s maps
     * ("a" or "b", as {@link #maps} named them).
     */
    protected abstract void backward(AmdimEncoder encoder, Map<String, INDArray> g, String view);

    @Override
    public final Parameters parameters() {
        return model.parameters();
    }

    @Override
    public final INDArray probeFeatures() {
        return probe.features(lastA);
    }

    @Override
    public final INDArray features(INDArray images) {
        return probe.features(model.forward(images, false, probe.needsTapHeads()));
    }

    @Override
    public final int featureDim() {
        return probe.dim(model.config());
    }

    @Override
    public final String exportFeatures(OnnxGraph g, String images) {
        return probe.export(g, model.export(g, images, probe.needsTapHeads()));
    }

    /** Closes both encoder instances and the parameters. */
    @Override
    public final void close() {
        replica.close();
        model.close();
    }
}

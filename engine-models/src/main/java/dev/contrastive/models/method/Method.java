package dev.contrastive.models.method;

import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.models.nn.OnnxGraph;
import dev.contrastive.models.nn.Parameters;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A contrastive method: an encoder (and whatever heads its loss reads) with its fused loss, as one
 * unit the trainer, the checkpoints, the probes and the export drive without knowing which method
 * it is. Implementations live one package each under {@code dev.contrastive.models.method} and are
 * listed in {@code dev.contrastive.models.registry.Methods}.
 *
 * <p>Arrays a call returns live in the workspace scope the caller opened around it ({@code
 * NativeMemory.scope}) or, outside one, until the method's next call; copy what must outlive that.
 * Not thread-safe. Closing a method frees its parameters and caches.
 */
public interface Method extends AutoCloseable {

    /** The hyper-parameters it was built with; equal configs build identical architectures. */
    MethodConfig config();

    /** Every trainable tensor and buffer (batch-norm running statistics), one flat set. */
    Parameters parameters();

    /**
     * Views each training example contributes: 2 for methods that contrast two augmented views of an
     * image, 1 for CPC, whose patches of one view predict each other (the trainer passes view A
     * only).
     */
    int views();

    /**
     * Phase 1 of a step: the forward of this batch's views, in training mode (batch statistics,
     * running statistics updated) or, with {@code training} false, evaluation mode (running
     * statistics, nothing updated; the backward still works, which is how batch norm is frozen).
     * Returns the maps the loss reads, by name, each with the batch first, and keeps the caches
     * {@link #backward} needs.
     *
     * @param step the step, named in a {@link TrainingDivergedException}
     * @param viewA the first views, in the shape the method's config expects
     * @param viewB the second views, same shape; ignored (may be null) when {@link #views()} is 1
     * @throws TrainingDivergedException if a map is not finite
     */
    Map<String, INDArray> forward(long step, INDArray viewA, INDArray viewB, boolean training);

    /**
     * Phase 2: the loss terms of the anchor images {@code shard} of {@code maps}, which may be the
     * maps of several replicas' or micro-batches' forwards concatenated along the batch (gathered
     * negatives), scored against every image of them. The gradients are partial: for every row of
     * every map, they sum over a partition of the batch into shards to the full gradient (see {@code
     * LossResult.combine}).
     *
     * @param lossSeed seed of the loss's random choices (sampled source locations), drawn for the
     *     whole batch, so that a resumed step, or a batch split into shards, draws what one call
     *     would
     */
    LossResult loss(Map<String, INDArray> maps, Shard shard, long lossSeed);

    /**
     * Phase 3: back-propagates gradients of the last {@link #forward}'s maps (the same names, this
     * batch's rows) into the parameter gradients, adding to them: the caller zeroes them once per
     * step.
     */
    void backward(Map<String, INDArray> mapGradients);

    /** View A's probe features of the last {@link #forward}, (B, featureDim), detached. */
    INDArray probeFeatures();

    /**
     * The three phases on one batch in training mode: on return {@link #parameters()} holds this
     * batch's gradients (zeroed first). Nothing is updated; the optimiser step is the caller's.
     *
     * @param lossSeed seed of the loss's random choices (sampled source locations), so that a resumed
     *     step draws what the uninterrupted one did
     * @throws TrainingDivergedException if an encoder output, the loss or a gradient is not finite
     */
    default StepOutcome forwardBackward(long step, INDArray viewA, INDArray viewB, long lossSeed) {
        Map<String, INDArray> maps = forward(step, viewA, viewB, true);
        try (LossResult r = loss(maps, Shard.all(batch(maps)), lossSeed)) {
            StepChecks.requireFiniteLoss(step, r.loss(), r.parts());
            parameters().zeroGrad();
            backward(r.gradients());
            double gradNorm = StepChecks.finiteGradNorm(step, parameters());
            return new StepOutcome(r.loss(), r.parts(), r.diagnostics().accuracy(), gradNorm, probeFeatures());
        }
    }

    /**
     * Forward and loss in evaluation mode (running statistics, no gradients, nothing updated), for
     * validation: a view's scores do not depend on which others share its batch.
     */
    default StepOutcome evaluate(INDArray viewA, INDArray viewB, long lossSeed) {
        Map<String, INDArray> maps = forward(-1, viewA, viewB, false);
        try (LossResult r = loss(maps, Shard.all(batch(maps)), lossSeed)) {
            return new StepOutcome(r.loss(), r.parts(), r.diagnostics().accuracy(), Double.NaN, probeFeatures());
        }
    }

    /** The batch size of a set of maps: their common first dimension. */
    static int batch(Map<String, INDArray> maps) {
        return Math.toIntExact(maps.values().iterator().next().size(0));
    }

    /**
     * The representation the probes read, in evaluation mode: (B, {@link #featureDim()}) for whole
     * images of the shape {@link MethodConfig#imageShape()} names (CPC cuts its own patch grid).
     */
    INDArray features(INDArray images);

    /** Width of {@link #features}. */
    int featureDim();

    /**
     * Appends {@link #features} to an ONNX graph, as {@code dev.contrastive.models.export.OnnxExport}
     * writes it: from {@code images}, the graph input (N, C, S, S) of {@link
     * MethodConfig#imageShape()}, to (N, {@link #featureDim()}) in evaluation mode.
     *
     * @return the name of the features' value
     * @throws UnsupportedOperationException naming the method, for one without an ONNX form (the
     *     default)
     */
    default String exportFeatures(OnnxGraph g, String images) {
        throw new UnsupportedOperationException(config().method() + " has no ONNX export of its features");
    }

    @Override
    void close();
}

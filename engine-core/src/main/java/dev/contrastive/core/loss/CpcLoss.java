package dev.contrastive.core.loss;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import dev.contrastive.core.kernel.Layouts;
import dev.contrastive.core.kernel.ScoreStats;
import dev.contrastive.core.kernel.SoftmaxCrossEntropyKernel;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.core.tensor.TensorChecks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CPC v2's InfoNCE (Henaff et al. 2019), fused and tiled.
 *
 * <p>For each offset k, the prediction made at grid position (r, c) of image b is scored against
 * every patch vector of every image in the batch, {@code embScale * P_k[b, :, r, c] . T[b', :, r',
 * c']}; the target k rows below, (b, r + k, c), is the positive. {@code L_k} is the mean
 * cross-entropy over the positions that have such a target; the loss is {@code sum_k L_k}. No (B *
 * H * W)^2 array is ever allocated ({@link SoftmaxCrossEntropyKernel}).
 *
 * @param options the offsets, embedding scale and tiling
 */
public record CpcLoss(CpcOptions options) {

    /** This loss's scope for a call's scratch arrays, reused by every call (see NativeMemory). */
    private static final String LOSS_SCOPE = "cpc-loss";

    public CpcLoss {
        Objects.requireNonNull(options, "options");
    }

    /**
     * @param targets patch vectors, (B, D, H, W)
     * @param predictions one (B, D, H, W) map per offset, index s predicting k = stepsToSkip + s
     * @return loss; parts {@code k<k>}; gradients {@code targets} and {@code pred_k<k>}
     */
    public LossResult compute(INDArray targets, List<INDArray> predictions) {
        validate(targets, predictions);
        return computeShard(targets, predictions, Shard.all((int) targets.size(0)));
    }

    /**
     * The terms of one shard's anchors: the predictions of images {@code [start, start + count)}, at
     * every offset, each scored against every patch vector of all B images, with the full call's
     * weights (1 over the batch's rows per offset).
     *
     * @param targets patch vectors of the whole (gathered) batch, (B, D, H, W)
     * @param predictions one (B, D, H, W) map per offset
     * @param shard the anchor images
     * @return the shard's loss and parts {@code k<k>}, the diagnostics of its anchors, and its share
     *     of the gradients for all B images: {@code targets}, and {@code pred_k<k>}, zero outside the
     *     shard's images. Summed over a partition of the batch ({@link LossResult#combine}) they are
     *     {@link #compute(INDArray, List)}'s.
     */
    public LossResult compute(INDArray targets, List<INDArray> predictions, Shard shard) {
        validate(targets, predictions);
        Losses.requireShard(shard, (int) targets.size(0));
        return computeShard(targets, predictions, shard);
    }

    private LossResult computeShard(INDArray targets, List<INDArray> predictions, Shard shard) {
        long batch = targets.size(0);
        long dim = targets.size(1);
        long height = targets.size(2);
        long width = targets.size(3);
        long cells = height * width;
        Map<String, Double> parts = new LinkedHashMap<>();
        ScoreStats stats = ScoreStats.EMPTY;
        MemoryWorkspace caller = NativeMemory.current();
        try (MemoryWorkspace ignored = NativeMemory.scope(LOSS_SCOPE)) {
            INDArray keys = Layouts.toLocationRows(targets);
            INDArray keyGradient = Nd4j.zeros(keys.dataType(), keys.shape());
            Map<String, INDArray> predictionRows = new LinkedHashMap<>();
            for (int s = 0; s < options.stepsToPredict(); s++) {
                int k = options.offset(s);
                long usedRows = height - k;
                // Every image's rows count in the mean; the shard's rows are the queries.
                double weight = 1.0 / (batch * usedRows * width);
                int n = (int) (shard.count() * usedRows * width);
                int[] labels = new int[n];
                double[] weights = new double[n];
                for (int i = 0; i < n; i++) {
                    long b = shard.start() + i / (usedRows * width);
                    long within = i % (usedRows * width);
                    labels[i] = (int) (b * cells + k * width + within);
                    weights[i] = weight;
                }
                INDArray predictionsNhwc = predictions.get(s).permute(0, 2, 3, 1);
                INDArray queries = predictionsNhwc
                        .get(interval(shard.start(), shard.end()), interval(0, usedRows), all(), all())
                        .dup('c')
                        .reshape(n, dim);
                INDArray dq = NativeMemory.uninitialized(queries.dataType(), n, dim);
                ScoreStats step = SoftmaxCrossEntropyKernel.run(
                        new SoftmaxCrossEntropyKernel.Problem(
                                queries, keys, options.embScale(), labels, null, weights, dq, keyGradient),
                        options.tiling());
                parts.put("k" + k, step.loss());
                stats = stats.plus(step);
                INDArray predictionGradient = Nd4j.zeros(dq.dataType(), batch * cells, dim);
                predictionGradient
                        .reshape(batch, height, width, dim)
                        .get(interval(shard.start(), shard.end()), interval(0, usedRows), all(), all())
                        .assign(dq.reshape(shard.count(), usedRows, width, dim));
                predictionRows.put("pred_k" + k, predictionGradient);
            }
            Map<String, INDArray> gradients = new LinkedHashMap<>();
            try (MemoryWorkspace out = NativeMemory.outputsTo(caller)) {
                gradients.put("targets", Layouts.toMaps(keyGradient, targets.shape()));
                predictionRows.forEach((name, rows) -> gradients.put(name, Layouts.toMaps(rows, targets.shape())));
            }
            double loss =
                    parts.values().stream().mapToDouble(Double::doubleValue).sum();
            return Losses.result(loss, parts, stats, gradients, Map.of());
        }
    }

    private void validate(INDArray targets, List<INDArray> predictions) {
        TensorChecks.requireRank("targets", targets, 4, "(B, D, H, W)");
        if (predictions == null || predictions.size() != options.stepsToPredict()) {
            throw new IllegalArgumentException("predictions has "
                    + (predictions == null ? 0 : predictions.size())
                    + " maps, expected stepsToPredict = "
                    + options.stepsToPredict()
                    + " (offsets k = "
                    + options.offset(0)
                    + ".."
                    + options.offset(options.stepsToPredict() - 1)
                    + ")");
        }
        int maxOffset = options.offset(options.stepsToPredict() - 1);
        if (targets.size(2) <= maxOffset) {
            throw new IllegalArgumentException("targets has shape "
                    + java.util.Arrays.toString(targets.shape())
                    + ", expected grid height H > "
                    + maxOffset
                    + " (the largest offset predicted)");
        }
        TensorChecks.requireFinite("targets", targets);
        for (int s = 0; s < predictions.size(); s++) {
            String name = "pred_k" + options.offset(s);
            INDArray p = predictions.get(s);
            TensorChecks.requireRank(name, p, 4, "(B, D, H, W)");
            TensorChecks.requireSameType(name, p, "targets", targets);
            TensorChecks.requireSameShape(name, p, "targets", targets);
            TensorChecks.requireFinite(name, p);
        }
    }
}

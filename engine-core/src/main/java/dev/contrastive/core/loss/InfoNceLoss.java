package dev.contrastive.core.loss;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import dev.contrastive.core.kernel.ScoreStats;
import dev.contrastive.core.kernel.SoftmaxCrossEntropyKernel;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.core.tensor.TensorChecks;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * InfoNCE / NT-Xent (SimCLR): each of the 2B features is scored against the other 2B - 1; its other
 * view is the positive, every other sample of both views a negative.
 *
 * <p>{@code loss = 1/2B sum_i [ -s(i, pos(i)) + log sum_{j != i} exp s(i, j) ]}, with {@code s(i,
 * j) = z_i . z_j / temperature} on L2-normalised features when {@code normalize} is set. Forward
 * and backward run fused and tiled ({@link SoftmaxCrossEntropyKernel}): memory grows with B, not
 * B^2, for a {@link Shard} too (arrays the size of the inputs plus one row block's score tiles).
 *
 * @param options the temperature, normalisation and tiling
 */
public record InfoNceLoss(InfoNceOptions options) {

    /** This loss's scope for a call's scratch arrays, reused by every call (see NativeMemory). */
    private static final String LOSS_SCOPE = "infonce-loss";

    public InfoNceLoss {
        Objects.requireNonNull(options, "options");
    }

    /**
     * @param a view A features, (B, D)
     * @param b view B features, (B, D), row i the same image as row i of {@code a}
     * @return loss, part {@code nce}, diagnostics and gradients {@code a} and {@code b}
     */
    public LossResult compute(INDArray a, INDArray b) {
        validate(a, b);
        return computeShard(a, b, Shard.all((int) a.size(0)));
    }

    /**
     * The terms of one shard's anchors: rows {@code [start, start + count)} of {@code a} and the same
     * images' rows of {@code b}, each scored against all 2B rows, with the full call's weight 1/2B.
     *
     * @param a view A features of the whole (gathered) batch, (B, D)
     * @param b view B features, (B, D)
     * @param shard the anchor images
     * @return the shard's loss and part {@code nce}, the diagnostics of its anchors, and its share of
     *     the gradients {@code a} and {@code b} for all B rows: what these anchors' scores give every
     *     row, through the normalisation when it is on. Summed over a partition of the batch ({@link
     *     LossResult#combine}) they are {@link #compute(INDArray, INDArray)}'s.
     */
    public LossResult compute(INDArray a, INDArray b, Shard shard) {
        validate(a, b);
        Losses.requireShard(shard, (int) a.size(0));
        return computeShard(a, b, shard);
    }

    private void validate(INDArray a, INDArray b) {
        TensorChecks.requireRank("a", a, 2, "(B, D)");
        TensorChecks.requireRank("b", b, 2, "(B, D)");
        TensorChecks.requireSameType("b", b, "a", a);
        TensorChecks.requireDim("b", b, 0, a.size(0), "batch size B of a");
        TensorChecks.requireDim("b", b, 1, a.size(1), "feature dim D of a");
        TensorChecks.requireFinite("a", a);
        TensorChecks.requireFinite("b", b);
    }

    private LossResult computeShard(INDArray a, INDArray b, Shard shard) {
        int batch = (int) a.size(0);
        int n = 2 * batch;
        int count = shard.count();
        // Query row r is z's row anchor(r): the shard's images in view a, then the same images in view
        // b.
        int rows = 2 * count;
        int[] positive = new int[rows];
        int[] self = new int[rows];
        double[] weights = new double[rows];
        for (int r = 0; r < rows; r++) {
            int anchor = r < count ? shard.start() + r : batch + shard.start() + r - count;
            positive[r] = (anchor + batch) % n;
            self[r] = anchor;
            weights[r] = 1.0 / n;
        }
        MemoryWorkspace caller = NativeMemory.current();
        try (MemoryWorkspace ignored = NativeMemory.scope(LOSS_SCOPE)) {
            INDArray z = Nd4j.concat(0, a, b);
            INDArray norms = options.normalize() ? Normalization.normalizeRows(z) : null;
            INDArray q = Nd4j.concat(
                    0,
                    z.get(interval(shard.start(), shard.end()), all()),
                    z.get(interval(batch + shard.start(), batch + shard.end()), all()));
            INDArray dq = NativeMemory.uninitialized(z.dataType(), rows, z.size(1));
            INDArray dz = Nd4j.zeros(z.dataType(), z.shape());
            ScoreStats stats = SoftmaxCrossEntropyKernel.run(
                    new SoftmaxCrossEntropyKernel.Problem(
                            q, z, 1.0 / options.temperature(), positive, self, weights, dq, dz),
                    options.tiling());
            dz.get(interval(shard.start(), shard.end()), all()).addi(dq.get(interval(0, count), all()));
            dz.get(interval(batch + shard.start(), batch + shard.end()), all())
                    .addi(dq.get(interval(count, rows), all()));
            // The normalisation's backward pass is linear in dz, so shards' gradients still add up.
            if (norms != null) {
                Normalization.backward(z, dz, norms);
            }
            INDArray gradA;
            INDArray gradB;
            try (MemoryWorkspace out = NativeMemory.outputsTo(caller)) {
                gradA = dz.get(interval(0, batch), all()).dup();
                gradB = dz.get(interval(batch, n), all()).dup();
            }
            return Losses.result(
                    stats.loss(), Map.of("nce", stats.loss()), stats, Losses.named("a", gradA, "b", gradB), Map.of());
        }
    }

    @Override
    public String toString() {
        return "InfoNceLoss" + Arrays.asList(options.temperature(), options.normalize(), options.tiling());
    }
}

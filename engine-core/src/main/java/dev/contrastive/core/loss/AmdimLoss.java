package dev.contrastive.core.loss;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import dev.contrastive.core.kernel.MultiPositiveNceKernel;
import dev.contrastive.core.kernel.ScoreStats;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.core.tensor.TensorChecks;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * AMDIM's multi-scale NCE (Bachman et al. 2019, amdim-public costs.py), fused and tiled.
 *
 * <p>For each comparison (source map, target map) and each direction (A->B, B->A): scores {@code
 * raw = src . trg / sqrt(D)} of every source vector against every location of every target image,
 * the regulariser {@code w * mean(raw^2)} taken before clipping, soft clipping {@code tclip *
 * tanh(raw / tclip)}, and one log-softmax per positive location with the same image's other
 * locations left out of the negatives. A comparison's loss is the mean of its two directions; the
 * total is their sum plus half the sum of the six regularisers (see {@link
 * MultiPositiveNceKernel}). No B x B x L array is ever allocated.
 *
 * @param options the comparisons, clipping, regulariser weight and tiling
 */
public record AmdimLoss(AmdimOptions options) {

    /** This loss's scope for a call's scratch arrays, reused by every call (see NativeMemory). */
    private static final String LOSS_SCOPE = "amdim-loss";

    public AmdimLoss {
        Objects.requireNonNull(options, "options");
    }

    /**
     * @param viewA view A's maps by name, each (B, D, H, W), or location-major (B, H*W, D), which
     *     saves a transpose each way, or (B, D) for a single location
     * @param viewB view B's maps, the same names and shapes
     * @param sampler source locations for comparisons whose source map has several locations
     * @return loss; parts per comparison ({@code r1->r5}...) and {@code reg}; gradients {@code
     *     a_<map>} and {@code b_<map>} for every given map
     */
    public LossResult compute(Map<String, INDArray> viewA, Map<String, INDArray> viewB, SourceSampler sampler) {
        int batch = validate(viewA, viewB, sampler);
        return computeShard(viewA, viewB, sampler, batch, Shard.all(batch));
    }

    /**
     * The terms of one shard's anchors: source images {@code [start, start + count)} of every
     * comparison and direction, each scored against every location of all B target images, with the
     * full call's weights. Multi-location sources draw for the whole batch, exactly as the full call
     * draws, and use the shard's rows of the draw; the regulariser contributes the shard's source
     * rows of mean(raw^2), still divided by B * B * L.
     *
     * @param viewA view A's maps of the whole (gathered) batch, as for {@link #compute(Map, Map,
     *     SourceSampler)}
     * @param viewB view B's maps
     * @param sampler source locations for the whole batch
     * @param shard the anchor images
     * @return the shard's loss and parts, the diagnostics of its anchors, its share of the gradients
     *     for all B images of every map, and the batch's source locations. Summed over a partition of
     *     the batch ({@link LossResult#combine}) they are the full call's.
     */
    public LossResult compute(
            Map<String, INDArray> viewA, Map<String, INDArray> viewB, SourceSampler sampler, Shard shard) {
        int batch = validate(viewA, viewB, sampler);
        Losses.requireShard(shard, batch);
        return computeShard(viewA, viewB, sampler, batch, shard);
    }

    private LossResult computeShard(
            Map<String, INDArray> viewA, Map<String, INDArray> viewB, SourceSampler sampler, int batch, Shard shard) {
        MemoryWorkspace caller = NativeMemory.current();
        try (MemoryWorkspace ignored = NativeMemory.scope(LOSS_SCOPE)) {
            FeatureViews a = new FeatureViews(viewA);
            FeatureViews b = new FeatureViews(viewB);
            Map<String, Double> parts = new LinkedHashMap<>();
            Map<String, int[]> locations = new LinkedHashMap<>();
            double reg = 0;
            ScoreStats stats = ScoreStats.EMPTY;
            for (AmdimComparison comparison : options.comparisons()) {
                double part = 0;
                for (boolean aToB : new boolean[] {true, false}) {
                    FeatureViews from = aToB ? a : b;
                    FeatureViews to = aToB ? b : a;
                    FeatureViews.Map source = from.map(comparison.source());
                    FeatureViews.Map target = to.map(comparison.target());
                    int[] sampled = null;
                    if (source.locations() > 1) {
                        String key = comparison.samplerKey(aToB);
                        sampled = SourceSampler.checked(
                                key, sampler.sample(key, batch, source.locations()), batch, source.locations());
                        locations.put(key, sampled);
                    }
                    ScoreStats directed = score(source, sampled, target, batch, shard);
                    part += directed.loss();
                    reg += 0.5
                            * options.regWeight()
                            * directed.squaredRawSum()
                            / ((double) batch * batch * target.locations());
                    stats = stats.plus(directed);
                }
                parts.put(comparison.name(), part);
            }
            parts.put("reg", reg);
            double loss =
                    parts.values().stream().mapToDouble(Double::doubleValue).sum();
            Map<String, INDArray> gradients = new LinkedHashMap<>();
            try (MemoryWorkspace out = NativeMemory.outputsTo(caller)) {
                a.gradients().forEach((name, g) -> gradients.put("a_" + name, g));
                b.gradients().forEach((name, g) -> gradients.put("b_" + name, g));
            }
            return Losses.result(loss, parts, stats, gradients, locations);
        }
    }

    /**
     * The shard's rows of one directed comparison; accumulates their gradients into the source and
     * target maps.
     */
    private ScoreStats score(FeatureViews.Map source, int[] sampled, FeatureViews.Map target, int batch, Shard shard) {
        long dim = source.dim();
        int locations = target.locations();
        // A copy, not a row view: ND4J 1.0.0-M2.1 turns a one-row interval that ends a view with an
        // offset into a scalar, which the kernel's row blocks would take of a view.
        INDArray src = sampled == null
                ? source.flat().get(interval(shard.start(), shard.end()), all()).dup()
                : source.gatherLocations(sampled, shard);
        INDArray dsrc = NativeMemory.uninitialized(source.flat().dataType(), shard.count(), dim);
        ScoreStats stats = MultiPositiveNceKernel.run(
                new MultiPositiveNceKernel.Problem(
                        src,
                        target.flat(),
                        locations,
                        shard.start(),
                        1.0 / Math.sqrt(dim),
                        options.tclip(),
                        0.5 / ((double) batch * locations),
                        0.5 * options.regWeight() / ((double) batch * batch * locations),
                        dsrc,
                        target.gradient()),
                options.tiling());
        if (sampled == null) {
            source.gradient().get(interval(shard.start(), shard.end()), all()).addi(dsrc);
        } else {
            source.scatterLocations(sampled, shard, dsrc);
        }
        return stats;
    }

    private int validate(Map<String, INDArray> viewA, Map<String, INDArray> viewB, SourceSampler sampler) {
        if (sampler == null) {
            throw new IllegalArgumentException("sampler is null, expected a SourceSampler");
        }
        if (viewA == null || viewB == null) {
            throw new IllegalArgumentException("amdim views must not be null");
        }
        Set<String> needed = new LinkedHashSet<>();
        for (AmdimComparison c : options.comparisons()) {
            needed.add(c.source());
            needed.add(c.target());
        }
        for (String name : needed) {
            for (String view : new String[] {"a", "b"}) {
                Map<String, INDArray> maps = view.equals("a") ? viewA : viewB;
                if (!maps.containsKey(name)) {
                    throw new IllegalArgumentException("view "
                            + view
                            + " has no map '"
                            + name
                            + "' needed by comparisons "
                            + options.comparisons().stream()
                                    .map(AmdimComparison::name)
                                    .toList()
                            + "; it has "
                            + maps.keySet());
                }
            }
        }
        INDArray first = null;
        String firstName = null;
        for (String view : new String[] {"a", "b"}) {
            Map<String, INDArray> maps = view.equals("a") ? viewA : viewB;
            for (Map.Entry<String, INDArray> e : maps.entrySet()) {
                String name = view + "_" + e.getKey();
                INDArray x = e.getValue();
                TensorChecks.requirePresent(name, x);
                FeatureViews.requireLayout(name, x);
                if (first == null) {
                    first = x;
                    firstName = name;
                } else {
                    TensorChecks.requireSameType(name, x, firstName, first);
                    TensorChecks.requireDim(name, x, 0, first.size(0), "batch size B of " + firstName);
                }
                TensorChecks.requireFinite(name, x);
            }
        }
        for (String name : viewA.keySet()) {
            TensorChecks.requireSameShape("b_" + name, viewB.get(name), "a_" + name, viewA.get(name));
        }
        for (AmdimComparison c : options.comparisons()) {
            INDArray src = viewA.get(c.source());
            INDArray trg = viewA.get(c.target());
            TensorChecks.requireDim(
                    "a_" + c.target(),
                    trg,
                    trg.rank() == 3 ? 2 : 1,
                    FeatureViews.dim(src.shape()),
                    "feature dim D of source map a_" + c.source() + " in comparison " + c.name());
        }
        return (int) first.size(0);
    }
}

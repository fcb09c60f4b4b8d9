package dev.contrastive.core.loss;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Value, parts, diagnostics and gradients of one fused loss call.
 *
 * <p>Gradients have the shape of the inputs they belong to. A call made inside an ND4J workspace
 * allocates them in that workspace, so a training step that opens one per step reuses the same
 * native memory every step. Outside any workspace they are plain arrays; {@link #close()} releases
 * them, but ND4J 1.0.0-M2.1 returns that memory only at garbage collection (measured: closing an
 * array does not lower the resident set).
 *
 * <p>The results of a loss's {@link Shard}s combine into the full call's ({@link #combine}): loss,
 * parts and gradients add up, and the diagnostics are pooled by the numbers of positives and
 * negatives each result scored ({@link #positives()}, {@link #negatives()}).
 */
public final class LossResult extends LossValues<INDArray> {

    private final Diagnostics diagnostics;
    private final Map<String, int[]> sourceLocations;
    private final long positives;
    private final long negatives;

    /**
     * @param loss the total loss
     * @param parts named terms whose sum is the loss (for example {@code r1->r5} and {@code reg})
     * @param diagnostics mean positive and negative scores and NCE accuracy
     * @param positives number of positive pairs the diagnostics pool
     * @param negatives number of negative scores the mean negative score pools
     * @param gradients d loss / d input, keyed like the inputs
     * @param sourceLocations the random source locations the loss drew or was given, keyed as in
     *     {@link SourceSampler}
     */
    public LossResult(
            double loss,
            Map<String, Double> parts,
            Diagnostics diagnostics,
            long positives,
            long negatives,
            Map<String, INDArray> gradients,
            Map<String, int[]> sourceLocations) {
        super(loss, parts, gradients);
        if (positives < 0 || negatives < 0) {
            throw new IllegalArgumentException(
                    "positives and negatives must be >= 0, got " + positives + " and " + negatives);
        }
        this.diagnostics = diagnostics;
        this.positives = positives;
        this.negatives = negatives;
        this.sourceLocations = Collections.unmodifiableMap(new LinkedHashMap<>(sourceLocations));
    }

    /**
     * The full call's result from the results of shards that partition its batch: loss, parts and
     * gradients summed, mean scores weighted by the positives and negatives each shard scored,
     * accuracy from the pooled count of correct positives. Shards of AMDIM and YADIM must report the
     * same source locations (the batch's draw, which each shard takes its rows of). The summed
     * gradients are new arrays, in the current workspace like a loss call's; the shards' results stay
     * open.
     *
     * @param shards results of one loss over the shards of one batch, in any order
     */
    public static LossResult combine(List<LossResult> shards) {
        if (shards == null || shards.isEmpty()) {
            throw new IllegalArgumentException("shards must hold at least one LossResult");
        }
        LossResult first = shards.get(0);
        double loss = 0;
        Map<String, Double> parts = new LinkedHashMap<>();
        first.parts().keySet().forEach(name -> parts.put(name, 0.0));
        long positives = 0;
        long negatives = 0;
        double positiveSum = 0;
        double negativeSum = 0;
        long correct = 0;
        for (int s = 0; s < shards.size(); s++) {
            LossResult r = shards.get(s);
            if (r == null) {
                throw new IllegalArgumentException("shards[" + s + "] is null, expected a LossResult");
            }
            r.requireCombinableWith(first, s);
            loss += r.loss();
            r.parts().forEach((name, value) -> parts.merge(name, value, Double::sum));
            positives += r.positives;
            negatives += r.negatives;
            positiveSum += r.diagnostics.meanPositive() * r.positives;
            // A shard's accuracy is its correct count over its positives: rounding recovers the count.
            correct += Math.round(r.diagnostics.accuracy() * r.positives);
            if (r.negatives > 0) {
                negativeSum += r.diagnostics.meanNegative() * r.negatives;
            }
        }
        Diagnostics diagnostics = new Diagnostics(
                positiveSum / positives,
                negatives == 0 ? Double.NaN : negativeSum / negatives,
                (double) correct / positives);
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        first.gradients().forEach((name, g) -> {
            INDArray sum = g.dup();
            shards.subList(1, shards.size()).forEach(r -> sum.addi(r.gradients().get(name)));
            gradients.put(name, sum);
        });
        return new LossResult(loss, parts, diagnostics, positives, negatives, gradients, first.sourceLocations);
    }

    /** Checks that shard result {@code index} has the counts, names and shapes of {@code first}. */
    private void requireCombinableWith(LossResult first, int index) {
        String what = "shards[" + index + "]";
        if (positives == 0) {
            throw new IllegalArgumentException(what
                    + " does not record how many positives its"
                    + " diagnostics pool (built by the constructor without counts), so it cannot be combined");
        }
        requireSameNames(what, "parts", parts().keySet(), first.parts().keySet());
        requireSameNames(
                what, "gradients", gradients().keySet(), first.gradients().keySet());
        gradients().forEach((name, g) -> {
            INDArray f = first.gradients().get(name);
            if (!Arrays.equals(g.shape(), f.shape()) || g.dataType() != f.dataType()) {
                throw new IllegalArgumentException(what
                        + " gradient '"
                        + name
                        + "' is "
                        + g.dataType()
                        + " "
                        + Arrays.toString(g.shape())
                        + ", expected "
                        + f.dataType()
                        + " "
                        + Arrays.toString(f.shape())
                        + " as in shards[0]");
            }
        });
        boolean sameLocations = sourceLocations.keySet().equals(first.sourceLocations.keySet())
                && sourceLocations.entrySet().stream()
                        .allMatch(e -> Arrays.equals(e.getValue(), first.sourceLocations.get(e.getKey())));
        if (!sameLocations) {
            throw new IllegalArgumentException(what
                    + " drew other source locations than shards[0]"
                    + " (keys "
                    + sourceLocations.keySet()
                    + " vs "
                    + first.sourceLocations.keySet()
                    + "): shards of one batch must share its draw, e.g. one seeded SourceSampler");
        }
    }

    /** Fails unless shard {@code what}'s {@code kind} (parts or gradients) are named as those of shards[0]. */
    private static void requireSameNames(String what, String kind, Set<String> names, Set<String> expected) {
        if (!names.equals(expected)) {
            throw new IllegalArgumentException(
                    what + " has " + kind + " " + names + ", expected those of shards[0]: " + expected);
        }
    }

    public Diagnostics diagnostics() {
        return diagnostics;
    }

    public Map<String, int[]> sourceLocations() {
        return sourceLocations;
    }

    /**
     * Number of positive pairs the diagnostics pool (a loss's anchors times the positives each has);
     * 0 for a result built without counts.
     */
    public long positives() {
        return positives;
    }

    /**
     * Number of negative scores the mean negative score pools; 0 for a result built without counts.
     */
    public long negatives() {
        return negatives;
    }

    /**
     * As {@link LossValues#gradient}; declared here as well so that callers compiled against this
     * class's {@code INDArray gradient(String)} keep linking (the inherited one erases to Object).
     */
    @Override
    public INDArray gradient(String input) {
        return super.gradient(input);
    }

    @Override
    public void close() {
        gradients().values().stream().filter(INDArray::closeable).forEach(INDArray::close);
    }
}

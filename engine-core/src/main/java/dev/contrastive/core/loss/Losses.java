package dev.contrastive.core.loss;

import dev.contrastive.core.kernel.ScoreStats;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Helpers shared by the loss entry points. */
final class Losses {

    private Losses() {}

    /** Pooled diagnostics; the mean over an empty set of negatives is NaN. */
    static Diagnostics diagnostics(ScoreStats stats) {
        return new Diagnostics(
                stats.positiveSum() / stats.positives(),
                stats.negatives() == 0 ? Double.NaN : stats.negativeSum() / stats.negatives(),
                (double) stats.correct() / stats.positives());
    }

    /** The shard must be given and lie within a batch of {@code batch} images. */
    static void requireShard(Shard shard, int batch) {
        if (shard == null) {
            throw new IllegalArgumentException(
                    "shard is null, expected a Shard within the batch of B = " + batch + " images");
        }
        shard.requireWithin(batch);
    }

    /**
     * {@code x} (absent: "none") must have the shape of {@code reference}, named {@code
     * referenceName}.
     */
    static void requireSameShape(String name, INDArray x, String referenceName, INDArray reference) {
        if (x == null || !Arrays.equals(x.shape(), reference.shape())) {
            throw new IllegalArgumentException(name
                    + " has shape "
                    + (x == null ? "none" : Arrays.toString(x.shape()))
                    + ", expected the shape of "
                    + referenceName
                    + ": "
                    + Arrays.toString(reference.shape()));
        }
    }

    /** A loss call's result, with the counts its diagnostics pool so that shard results combine. */
    static LossResult result(
            double loss,
            Map<String, Double> parts,
            ScoreStats stats,
            Map<String, INDArray> gradients,
            Map<String, int[]> sourceLocations) {
        return new LossResult(
                loss, parts, diagnostics(stats), stats.positives(), stats.negatives(), gradients, sourceLocations);
    }

    /** Gradients in the order given, as alternating name, array pairs. */
    static Map<String, INDArray> named(Object... nameArrayPairs) {
        Map<String, INDArray> map = new LinkedHashMap<>();
        for (int i = 0; i < nameArrayPairs.length; i += 2) {
            map.put((String) nameArrayPairs[i], (INDArray) nameArrayPairs[i + 1]);
        }
        return map;
    }
}

package dev.contrastive.core.loss;

import dev.contrastive.core.kernel.ScoreStats;
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

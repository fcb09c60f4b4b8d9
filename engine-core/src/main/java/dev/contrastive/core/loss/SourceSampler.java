package dev.contrastive.core.loss;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Chooses the one source location per image that a multi-location source map contributes (AMDIM's
 * 5->5 comparison, YADIM on a map larger than 1x1).
 *
 * <p>Keys name a comparison and its direction: {@code <source>_<target>_ab} for view A predicting
 * view B and {@code <source>_<target>_ba} for the reverse, for example {@code r5_r5_ab}. A fixed
 * sampler makes a cross-check against another implementation exact.
 */
@FunctionalInterface
public interface SourceSampler {

    /**
     * @param key comparison and direction, as above
     * @param batch number of images
     * @param locations number of locations of the source map (H * W, row-major)
     * @return one location in {@code [0, locations)} per image
     */
    int[] sample(String key, int batch, int locations);

    /** Uniform locations from a seeded stream; each key draws from its own split of the seed. */
    static SourceSampler random(long seed) {
        return (key, batch, locations) -> {
            SplittableRandom rng = new SplittableRandom(seed ^ (key.hashCode() * 0x9E3779B97F4A7C15L));
            int[] idx = new int[batch];
            for (int i = 0; i < batch; i++) {
                idx[i] = rng.nextInt(locations);
            }
            return idx;
        };
    }

    /** Locations given by the caller, validated against the batch and the map size. */
    static SourceSampler fixed(Map<String, int[]> locationsByKey) {
        return (key, batch, locations) -> {
            int[] idx = locationsByKey.get(key);
            if (idx == null) {
                throw new IllegalArgumentException(
                        "no source locations given for '" + key + "'; given: " + locationsByKey.keySet());
            }
            return checked(key, idx.clone(), batch, locations);
        };
    }

    /**
     * Checks what a sampler returned: one location per image, each in {@code [0, locations)}. A
     * location outside that range would still index inside the flattened map and silently read a
     * neighbouring image's vector.
     */
    static int[] checked(String key, int[] idx, int batch, int locations) {
        if (idx == null) {
            throw new IllegalArgumentException("source locations '"
                    + key
                    + "' is null, expected "
                    + batch
                    + " locations in [0, "
                    + locations
                    + ")");
        }
        if (idx.length != batch) {
            throw new IllegalArgumentException(
                    "source locations '" + key + "' has " + idx.length + " entries, expected one per image: " + batch);
        }
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= locations) {
                throw new IllegalArgumentException("source locations '"
                        + key
                        + "'["
                        + i
                        + "] = "
                        + idx[i]
                        + ", expected in [0, "
                        + locations
                        + ")");
            }
        }
        return idx;
    }
}

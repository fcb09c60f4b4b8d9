package dev.contrastive.models.train.checkpoint;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * Everything needed to resume training exactly: position in the run, tensors, counters and config.
 *
 * <p>Field meanings are the trainer's; this package treats them as data:
 *
 * <ul>
 *   <li>{@code step}: optimiser steps completed; {@code epoch} and {@code positionInEpoch}: where
 *       the data order stands (batches of the current epoch already consumed).
 *   <li>{@code config}: the run's configuration, stored verbatim so a resume can check it matches.
 *   <li>{@code tensors}: named float32 arrays, e.g. parameter values, batch-norm running
 *       statistics, Adam first and second moments. Insertion order is kept and is the file order.
 *   <li>{@code state}: named long arrays for RNG and data-order state (seeds, stream counters,
 *       permutation seeds), since exact resume needs integers that a float could not hold.
 *   <li>{@code metadata}: free-form provenance (engine version, wall time, git hash).
 * </ul>
 *
 * <p>The maps are copied (order kept) and unmodifiable; the arrays inside are not copied, because
 * parameter arrays can be hundreds of megabytes: callers must not mutate them after handing them
 * over. {@link #equals} compares arrays by content, floats by their bits except that all NaNs are
 * equal (as {@link Arrays#equals(float[], float[])}), so -0.0 differs from 0.0.
 */
public record Checkpoint(
        long step,
        int epoch,
        long positionInEpoch,
        JsonNode config,
        Map<String, Tensor> tensors,
        Map<String, long[]> state,
        Map<String, String> metadata) {

    /**
     * A named float32 array with its shape; data is row-major and its length is the shape's product.
     */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            Objects.requireNonNull(shape, "shape");
            Objects.requireNonNull(data, "data");
            long n = elementCount(shape);
            if (n != data.length) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " has " + n + " elements but data has " + data.length);
            }
        }

        /** The product of the dimensions; throws on a negative dimension or overflow. */
        static long elementCount(long[] shape) {
            long n = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
                }
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Tensor" + Arrays.toString(shape);
        }
    }

    public Checkpoint {
        if (step < 0 || epoch < 0 || positionInEpoch < 0) {
            throw new IllegalArgumentException("step, epoch and positionInEpoch must be >= 0, got "
                    + step
                    + ", "
                    + epoch
                    + ", "
                    + positionInEpoch);
        }
        Objects.requireNonNull(config, "config (use an empty ObjectNode for none)");
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        state = Collections.unmodifiableMap(new LinkedHashMap<>(state));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors.forEach((k, v) -> Objects.requireNonNull(v, "tensor " + k));
        state.forEach((k, v) -> Objects.requireNonNull(v, "state " + k));
        metadata.forEach((k, v) -> Objects.requireNonNull(v, "metadata " + k));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Checkpoint c)) {
            return false;
        }
        if (step != c.step
                || epoch != c.epoch
                || positionInEpoch != c.positionInEpoch
                || !config.equals(c.config)
                || !tensors.equals(c.tensors)
                || !metadata.equals(c.metadata)
                || !state.keySet().equals(c.state.keySet())) {
            return false;
        }
        for (Map.Entry<String, long[]> e : state.entrySet()) {
            if (!Arrays.equals(e.getValue(), c.state.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(step, epoch, positionInEpoch, config, tensors, metadata);
        int s = 0;
        // A sum, so that the hash ignores insertion order as equals does.
        for (Map.Entry<String, long[]> e : state.entrySet()) {
            s += e.getKey().hashCode() ^ Arrays.hashCode(e.getValue());
        }
        return 31 * h + s;
    }

    @Override
    public String toString() {
        return "Checkpoint[step="
                + step
                + ", epoch="
                + epoch
                + ", positionInEpoch="
                + positionInEpoch
                + ", tensors="
                + tensors.keySet()
                + ", state="
                + state.keySet()
                + ", metadata="
                + metadata
                + "]";
    }
}

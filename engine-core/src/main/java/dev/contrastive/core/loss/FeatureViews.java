package dev.contrastive.core.loss;

import dev.contrastive.core.kernel.Layouts;
import java.util.Arrays;
import java.util.LinkedHashMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One view's feature maps as the kernels want them: each map flattened to (B * L, D) rows,
 * image-major, plus a gradient accumulator of the same layout, all in the loss call's scope. NCHW
 * maps are transposed on the way in and their gradients on the way out; location-major (B, L, D)
 * maps, as an encoder computing in NHWC produces them, are only copied.
 */
final class FeatureViews {

    /** One flattened map and its gradient. */
    record Map(INDArray flat, INDArray gradient, long[] shape) {

        int locations() {
            return FeatureViews.locations(shape);
        }

        long dim() {
            return FeatureViews.dim(shape);
        }

        /** Row of image j at location loc_j, for each image j of the shard. */
        INDArray gatherLocations(int[] locationPerImage, Shard shard) {
            int[] rows = new int[shard.count()];
            for (int r = 0; r < rows.length; r++) {
                int j = shard.start() + r;
                rows[r] = j * locations() + locationPerImage[j];
            }
            // pullRows can drop the row axis of a single row
            return Nd4j.pullRows(flat, 1, rows).reshape(rows.length, flat.columns());
        }

        /** Adds row r of {@code perImage} to the gradient of image j = start + r at loc_j. */
        void scatterLocations(int[] locationPerImage, Shard shard, INDArray perImage) {
            for (int r = 0; r < shard.count(); r++) {
                int j = shard.start() + r;
                gradient.getRow((long) j * locations() + locationPerImage[j]).addi(perImage.getRow(r));
            }
        }

        /** The gradient in the caller's layout, detached. */
        INDArray gradientInInputShape() {
            return Layouts.toMaps(gradient, shape);
        }
    }

    /** Accepted map layouts, for messages. */
    static final String LAYOUTS = "rank 4 (B, D, H, W), rank 3 (B, H*W, D) location-major, or rank 2 (B, D)";

    private final java.util.Map<String, Map> maps = new LinkedHashMap<>();

    /** {@code x} must have one of the {@link #LAYOUTS}. */
    static void requireLayout(String name, INDArray x) {
        if (x.rank() < 2 || x.rank() > 4) {
            throw new IllegalArgumentException(name + " has shape " + Arrays.toString(x.shape()) + " (rank " + x.rank()
                    + "), expected " + LAYOUTS);
        }
    }

    /** Locations of a map of this shape (one of {@link #LAYOUTS}). */
    static int locations(long[] shape) {
        return switch (shape.length) {
            case 4 -> (int) (shape[2] * shape[3]);
            case 3 -> (int) shape[1];
            default -> 1;
        };
    }

    /** Feature dimension D of a map of this shape. */
    static long dim(long[] shape) {
        return shape.length == 3 ? shape[2] : shape[1];
    }

    FeatureViews(java.util.Map<String, INDArray> inputs) {
        inputs.forEach((name, x) -> {
            INDArray flat = Layouts.toLocationRows(x);
            maps.put(name, new Map(flat, Nd4j.zeros(flat.dataType(), flat.shape()), x.shape()));
        });
    }

    Map map(String name) {
        return maps.get(name);
    }

    /** Gradients of every map in input layout, detached from this object. */
    java.util.Map<String, INDArray> gradients() {
        java.util.Map<String, INDArray> out = new LinkedHashMap<>();
        maps.forEach((name, m) -> out.put(name, m.gradientInInputShape()));
        return out;
    }
}

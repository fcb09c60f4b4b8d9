package dev.contrastive.core.loss;

import dev.contrastive.core.kernel.Layouts;
import java.util.LinkedHashMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One view's feature maps as the kernels want them: each map flattened to (B * L, D) rows,
 * image-major, plus a gradient accumulator of the same layout. Owns all of it. NCHW maps are
 * transposed on the way in and their gradients on the way out; location-major (B, L, D) maps, as an
 * encoder computing in NHWC produces them, are only copied.
 */
final class FeatureViews implements AutoCloseable {

  /** One flattened map and its gradient. */
  record Map(INDArray flat, INDArray gradient, long[] shape) {

    int locations() {
      return FeatureViews.locations(shape);
    }

    long dim() {
      return FeatureViews.dim(shape);
    }

    /** Row of image j at location loc_j, for each image. */
    INDArray gatherLocations(int[] locationPerImage) {
      int[] rows = new int[locationPerImage.length];
      for (int j = 0; j < rows.length; j++) {
        rows[j] = j * locations() + locationPerImage[j];
      }
      return Nd4j.pullRows(flat, 1, rows);
    }

    /** Adds each image's row of {@code perImage} to its gradient at loc_j. */
    void scatterLocations(int[] locationPerImage, INDArray perImage) {
      for (int j = 0; j < locationPerImage.length; j++) {
        gradient.getRow((long) j * locations() + locationPerImage[j]).addi(perImage.getRow(j));
      }
    }

    /** The gradient in the caller's layout, detached. */
    INDArray gradientInInputShape() {
      return Layouts.toMaps(gradient, shape);
    }
  }

  /** Accepted map layouts, for messages. */
  static final String LAYOUTS =
      "rank 4 (B, D, H, W), rank 3 (B, H*W, D) location-major, or rank 2 (B, D)";

  private final java.util.Map<String, Map> maps = new LinkedHashMap<>();

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

  FeatureViews(String view, java.util.Map<String, INDArray> inputs) {
    inputs.forEach(
        (name, x) -> {
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

  @Override
  public void close() {
    maps.values().forEach(m -> {
      m.flat.close();
      m.gradient.close();
    });
  }
}

package dev.contrastive.core.loss;

import java.util.LinkedHashMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One view's feature maps as the kernels want them: each (B, D, H, W) map flattened to
 * (B * H * W, D) rows, image-major, plus a gradient accumulator of the same layout. Owns all of it.
 */
final class FeatureViews implements AutoCloseable {

  /** One flattened map and its gradient. */
  record Map(INDArray flat, INDArray gradient, long[] shape) {

    int locations() {
      return shape.length == 4 ? (int) (shape[2] * shape[3]) : 1;
    }

    long dim() {
      return shape[1];
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
      if (shape.length == 2) {
        return gradient.dup();
      }
      return gradient
          .reshape(shape[0], shape[2], shape[3], shape[1])
          .permute(0, 3, 1, 2)
          .dup('c');
    }
  }

  private final java.util.Map<String, Map> maps = new LinkedHashMap<>();

  FeatureViews(String view, java.util.Map<String, INDArray> inputs) {
    inputs.forEach(
        (name, x) -> {
          INDArray flat =
              x.rank() == 2
                  ? x.dup('c')
                  : x.permute(0, 2, 3, 1).dup('c').reshape(x.size(0) * x.size(2) * x.size(3), x.size(1));
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

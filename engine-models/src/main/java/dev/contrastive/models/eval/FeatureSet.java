package dev.contrastive.models.eval;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Features of a labelled split: row {@code i} of {@code features} belongs to image {@code i}, whose
 * class is {@code labels[i]}.
 *
 * @param features (N, F) float matrix
 * @param labels N class indices, each in [0, classes)
 * @param classes number of classes, >= 2
 */
public record FeatureSet(INDArray features, int[] labels, int classes) {

    public FeatureSet {
        if (features == null || features.rank() != 2) {
            throw new IllegalArgumentException("featureSet.features must be an (N, F) matrix, got "
                    + (features == null ? "null" : Arrays.toString(features.shape())));
        }
        if (classes < 2) {
            throw new IllegalArgumentException("featureSet.classes must be >= 2, got " + classes);
        }
        if (labels == null || labels.length != features.size(0)) {
            throw new IllegalArgumentException("featureSet.labels must have one label per row ("
                    + features.size(0)
                    + "), got "
                    + (labels == null ? "null" : labels.length));
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(
                        "featureSet.labels[" + i + "] must be in [0, " + classes + "), got " + labels[i]);
            }
        }
    }

    /** Number of rows. */
    public int size() {
        return labels.length;
    }

    /** Feature dimension F. */
    public int dim() {
        return Math.toIntExact(features.size(1));
    }
}

package dev.contrastive.models.eval;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.Image;
import dev.contrastive.augment.transform.ImageBatch;
import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.augment.transform.Preset;
import dev.contrastive.augment.transform.Transform;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.models.method.Method;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Turns a labelled dataset into an (N, F) float feature matrix, in index order and in batches.
 *
 * <p>Extraction is deterministic: the preprocessing must be a fixed transform (pad and normalise),
 * never a random augmentation, so the same dataset always gives the same features. The random
 * streams {@link ImageBatch} requires are seeded with a constant and go unused by such transforms.
 *
 * <p>Native memory stays bounded by the batch, not the dataset: the encoder's activations of each
 * batch live in one reused {@link NativeMemory} scope, and each batch's features are copied into
 * one output matrix allocated once, outside it.
 */
public final class FeatureExtractor {

    private static final String WORKSPACE_ID = "probe-batch";

    private final Transform preprocess;
    private final int batchSize;

    /**
     * @param preprocess a deterministic transform from the dataset's images to the model's input
     * @param batchSize images per batch, >= 1
     */
    public FeatureExtractor(Transform preprocess, int batchSize) {
        if (preprocess == null) {
            throw new IllegalArgumentException("featureExtractor.preprocess must not be null");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("featureExtractor.batchSize must be >= 1, got " + batchSize);
        }
        this.preprocess = preprocess;
        this.batchSize = batchSize;
    }

    /** The evaluation transform of {@code preset}: its geometry and normalisation, no randomness. */
    public static FeatureExtractor forPreset(Preset preset, int batchSize) {
        return new FeatureExtractor(preset.evaluation(), batchSize);
    }

    /** The transform every image goes through before features are taken. */
    public Transform preprocess() {
        return preprocess;
    }

    /** The preprocessed pixels, flattened: F = C * H * W of the transform's output. */
    public FeatureSet rawPixels(Dataset dataset) {
        int n = checkLabeled(dataset);
        int dim = outputShape(dataset).rowSize();
        // Plain Java floats, then one native matrix: no per-batch native arrays to free.
        float[] out = new float[Math.multiplyExact(n, dim)];
        int[] labels = new int[n];
        for (int start = 0; start < n; start += batchSize) {
            ImageBatch batch = preprocessed(dataset, start, Math.min(n, start + batchSize), labels);
            System.arraycopy(batch.data(), 0, out, start * dim, batch.data().length);
        }
        return new FeatureSet(
                Nd4j.create(out, new long[] {n, dim}, DataType.FLOAT),
                labels,
                dataset.info().classes());
    }

    /**
     * The frozen method's probe features ({@link Method#features}): (N, featureDim). The method runs
     * in evaluation mode (batch norm with running statistics), so a row does not depend on the rest
     * of its batch.
     */
    public FeatureSet features(Dataset dataset, Method method) {
        int n = checkLabeled(dataset);
        ItemShape shape = outputShape(dataset);
        ItemShape expected = method.config().imageShape();
        if (!shape.equals(expected)) {
            throw new IllegalArgumentException("featureExtractor.preprocess makes "
                    + shape
                    + " images of '"
                    + dataset.info().name()
                    + "', the "
                    + method.config().method()
                    + " model takes "
                    + expected);
        }
        int dim = method.featureDim();
        INDArray out = Nd4j.create(DataType.FLOAT, n, dim);
        int[] labels = new int[n];
        for (int start = 0; start < n; start += batchSize) {
            int end = Math.min(n, start + batchSize);
            ImageBatch batch = preprocessed(dataset, start, end, labels);
            try (MemoryWorkspace ignored = NativeMemory.scope(WORKSPACE_ID)) {
                INDArray x = Nd4j.create(
                        batch.data(),
                        new long[] {end - start, shape.channels(), shape.height(), shape.width()},
                        DataType.FLOAT);
                out.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).assign(method.features(x));
            }
        }
        return new FeatureSet(out, labels, dataset.info().classes());
    }

    private static int checkLabeled(Dataset dataset) {
        if (!dataset.info().labeled()) {
            throw new IllegalArgumentException("featureExtractor needs a labelled dataset, "
                    + dataset.info().name()
                    + " has no classes");
        }
        if (dataset.size() == 0) {
            throw new IllegalArgumentException("featureExtractor needs a non-empty dataset, "
                    + dataset.info().name() + " is empty");
        }
        return dataset.size();
    }

    private ItemShape outputShape(Dataset dataset) {
        ItemShape shape = preprocess.outputShape(ItemShape.image(
                dataset.info().channels(),
                dataset.info().height(),
                dataset.info().width()));
        // One feature row per image: a transform that cuts patches would misalign rows and labels.
        if (shape.patches() != 1) {
            throw new IllegalArgumentException(
                    "featureExtractor.preprocess must keep one row per image," + " it makes " + shape);
        }
        return shape;
    }

    /** Images [start, end) preprocessed; their labels written to {@code labels[start..end)}. */
    private ImageBatch preprocessed(Dataset dataset, int start, int end, int[] labels) {
        List<Image> images = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
            Image image = dataset.get(i);
            labels[i] = image.label();
            images.add(image);
        }
        return preprocess.apply(ImageBatch.fromImages(images, ImageBatch.streams(0, images.size())));
    }
}

package dev.contrastive.models.eval;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Small feature sets with known structure for the probe and kNN tests. */
final class Synthetic {

    private Synthetic() {}

    /** Probe options of the settings, with no validation split. */
    static ProbeOptions.Builder probe(int epochs, double learningRate, double l2, int batchSize, long seed) {
        return ProbeOptions.builder()
                .epochs(epochs)
                .learningRate(learningRate)
                .l2(l2)
                .batchSize(batchSize)
                .seed(seed)
                .validationFraction(0);
    }

    /**
     * {@code n} rows in {@code dim} dimensions: Gaussian noise (sd 1) around one of {@code classes}
     * centres placed 8 apart on distinct axes, so the classes are linearly separable with margin.
     */
    static FeatureSet blobs(int n, int dim, int classes, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n * dim];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            for (int d = 0; d < dim; d++) {
                x[i * dim + d] = (float) random.nextGaussian() + (d == labels[i] ? 8f : 0f);
            }
        }
        return new FeatureSet(Nd4j.create(x, new long[] {n, dim}, DataType.FLOAT), labels, classes);
    }

    /** Gaussian features with labels drawn independently of them: nothing to learn. */
    static FeatureSet noise(int n, int dim, int classes, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n * dim];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(classes);
            for (int d = 0; d < dim; d++) {
                x[i * dim + d] = (float) random.nextGaussian();
            }
        }
        return new FeatureSet(Nd4j.create(x, new long[] {n, dim}, DataType.FLOAT), labels, classes);
    }

    /**
     * Blobs whose centres are only 3 apart (so the classes overlap), with a {@code noisy} fraction of
     * the labels replaced by random ones.
     */
    static FeatureSet noisyBlobs(int n, int dim, int classes, double noisy, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n * dim];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int centre = i % classes;
            for (int d = 0; d < dim; d++) {
                x[i * dim + d] = (float) random.nextGaussian() + (d == centre ? 3f : 0f);
            }
            labels[i] = random.nextDouble() < noisy ? random.nextInt(classes) : centre;
        }
        return new FeatureSet(Nd4j.create(x, new long[] {n, dim}, DataType.FLOAT), labels, classes);
    }
}

package dev.contrastive.models.eval;

import dev.contrastive.core.memory.NativeMemory;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Cosine k-nearest-neighbour classification of test features against train features.
 *
 * <p>Rows are L2-normalised, so a block's similarities are one matrix product; the k largest per
 * test row are picked in Java with a partial selection. Each block's similarity matrix lives in a
 * reused workspace, so native memory is bounded by one block however large the splits are.
 */
public final class KnnEvaluation {

    /** Rows with a smaller norm (all-zero features) are left at zero rather than divided by ~0. */
    private static final double NORM_FLOOR = 1e-12;

    private static final String WORKSPACE_ID = "knn-block";

    private final KnnOptions options;

    public KnnEvaluation(KnnOptions options) {
        this.options = ProbeTraining.requireOptions("knnEvaluation", options);
    }

    /** Fraction of test rows whose predicted class is their label. */
    public double accuracy(FeatureSet train, FeatureSet test) {
        int[] predicted = predict(train, test);
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] == test.labels()[i]) {
                correct++;
            }
        }
        return (double) correct / predicted.length;
    }

    /**
     * The predicted class of every test row.
     *
     * @throws IllegalArgumentException if the splits differ in feature dimension or classes, or the
     *     train split has fewer than k rows
     */
    public int[] predict(FeatureSet train, FeatureSet test) {
        ProbeTraining.checkSplits("knnEvaluation", train, test);
        int k = options.k();
        if (train.size() < k) {
            throw new IllegalArgumentException(
                    "knn.k must be <= the train split's " + train.size() + " rows, got " + k);
        }
        INDArray trainT = normalized(train.features()).transpose();
        INDArray testN = normalized(test.features());
        int nTrain = train.size();
        int[] predicted = new int[test.size()];
        int[] neighbours = new int[k];
        float[] similarity = new float[k];
        double[] scores = new double[train.classes()];
        double[] summed = new double[train.classes()];
        for (int start = 0; start < test.size(); start += options.blockSize()) {
            int end = Math.min(test.size(), start + options.blockSize());
            float[] block;
            try (MemoryWorkspace ignored = NativeMemory.scope(WORKSPACE_ID)) {
                block = testN.get(NDArrayIndex.interval(start, end), NDArrayIndex.all())
                        .mmul(trainT)
                        .ravel()
                        .toFloatVector();
            }
            for (int row = 0; row < end - start; row++) {
                topK(block, row * nTrain, nTrain, neighbours, similarity);
                predicted[start + row] = vote(neighbours, similarity, train.labels(), scores, summed);
            }
        }
        return predicted;
    }

    private static INDArray normalized(INDArray x) {
        INDArray f = x.castTo(DataType.FLOAT);
        INDArray norms = f.norm2(true, 1);
        INDArray floor = norms.lt(NORM_FLOOR).castTo(DataType.FLOAT);
        // Where the norm is ~0 the divisor becomes 1, leaving an all-zero row at zero.
        return f.divColumnVector(norms.addi(floor));
    }

    /**
     * The k largest of {@code values[offset..offset+n)}, by insertion into a sorted buffer (k is
     * small beside n, so this is O(n k) at worst and about O(n) in practice). Ties keep the lower
     * train index, so the result does not depend on the block size.
     */
    private static void topK(float[] values, int offset, int n, int[] index, float[] value) {
        int k = index.length;
        int filled = 0;
        for (int j = 0; j < n; j++) {
            float v = values[offset + j];
            if (filled == k && v <= value[k - 1]) {
                continue;
            }
            int pos = filled == k ? k - 1 : filled++;
            while (pos > 0 && value[pos - 1] < v) {
                value[pos] = value[pos - 1];
                index[pos] = index[pos - 1];
                pos--;
            }
            value[pos] = v;
            index[pos] = j;
        }
    }

    private int vote(int[] neighbours, float[] similarity, int[] labels, double[] scores, double[] summed) {
        Arrays.fill(scores, 0);
        Arrays.fill(summed, 0);
        for (int i = 0; i < neighbours.length; i++) {
            int label = labels[neighbours[i]];
            scores[label] +=
                    options.vote() == KnnOptions.Vote.MAJORITY ? 1.0 : Math.exp(similarity[i] / options.temperature());
            summed[label] += similarity[i];
        }
        int best = 0;
        for (int c = 1; c < scores.length; c++) {
            if (scores[c] > scores[best] || (scores[c] == scores[best] && summed[c] > summed[best])) {
                best = c;
            }
        }
        return best;
    }
}

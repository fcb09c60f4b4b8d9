package dev.contrastive.models.eval;

/**
 * How k-nearest-neighbour classification votes.
 *
 * @param k neighbours per test row, >= 1
 * @param vote how the neighbours' labels are combined
 * @param temperature for {@link Vote#WEIGHTED}, the tau in weight exp(cosine / tau), in (0, 10];
 *     ignored by {@link Vote#MAJORITY}
 * @param blockSize test rows compared with the whole train split at once, >= 1; memory is blockSize
 *     x N_train similarities, never N_test x N_train
 */
public record KnnOptions(int k, Vote vote, double temperature, int blockSize) {

    /** The vote. */
    public enum Vote {
        /** One vote per neighbour; a tie goes to the tied class with the larger summed similarity. */
        MAJORITY,
        /**
         * Each neighbour votes exp(cosine / temperature), as in Wu et al. 2018 (instance
         * discrimination) and DINO, so nearer neighbours count more.
         */
        WEIGHTED
    }

    public KnnOptions {
        if (k < 1) {
            throw new IllegalArgumentException("knn.k must be >= 1, got " + k);
        }
        if (vote == null) {
            throw new IllegalArgumentException("knn.vote must be MAJORITY or WEIGHTED, got null");
        }
        if (!(temperature > 0 && temperature <= 10)) {
            throw new IllegalArgumentException("knn.temperature must be in (0, 10], got " + temperature);
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("knn.blockSize must be >= 1, got " + blockSize);
        }
    }

    /**
     * k = 20, weighted with tau = 0.07, blocks of 256 test rows: the instance-discrimination setup.
     */
    public static KnnOptions defaults() {
        return new KnnOptions(20, Vote.WEIGHTED, 0.07, 256);
    }
}

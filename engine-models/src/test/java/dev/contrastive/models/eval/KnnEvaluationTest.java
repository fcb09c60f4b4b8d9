package dev.contrastive.models.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class KnnEvaluationTest {

    /**
     * Train directions at angles 0, 10, 20 degrees (class 0) and 90 degrees (class 1), with lengths
     * that cosine similarity must ignore.
     */
    private static FeatureSet toyTrain() {
        return new FeatureSet(
                Nd4j.createFromArray(new float[][] {polar(1, 0), polar(5, 10), polar(0.2, 20), polar(3, 90)}),
                new int[] {0, 0, 0, 1},
                2);
    }

    private static float[] polar(double length, double degrees) {
        double r = Math.toRadians(degrees);
        return new float[] {(float) (length * Math.cos(r)), (float) (length * Math.sin(r))};
    }

    @Test
    void nearestNeighbourByAngleNotLength() {
        FeatureSet test = new FeatureSet(
                Nd4j.createFromArray(new float[][] {polar(100, 85), polar(0.01, 5)}), new int[] {1, 0}, 2);
        KnnOptions k1 = new KnnOptions(1, KnnOptions.Vote.MAJORITY, 1, 1);
        assertArrayEquals(new int[] {1, 0}, new KnnEvaluation(k1).predict(toyTrain(), test));
        assertEquals(1.0, new KnnEvaluation(k1).accuracy(toyTrain(), test));
    }

    @Test
    void weightedVoteLetsANearNeighbourOutvoteFarOnes() {
        // At 88 degrees: class 1 at 2 degrees away (cos 0.999), class 0 at 68-88 degrees away (cos
        // 0.37, 0.21, 0.03). Majority of k = 4 says 0 (3 votes to 1); weighted with tau 0.1 says 1:
        // e^10 against e^3.7 + e^2.1 + e^0.3.
        FeatureSet test = new FeatureSet(Nd4j.createFromArray(new float[][] {polar(1, 88)}), new int[] {1}, 2);
        assertArrayEquals(
                new int[] {0},
                new KnnEvaluation(new KnnOptions(4, KnnOptions.Vote.MAJORITY, 0.1, 8)).predict(toyTrain(), test));
        assertArrayEquals(
                new int[] {1},
                new KnnEvaluation(new KnnOptions(4, KnnOptions.Vote.WEIGHTED, 0.1, 8)).predict(toyTrain(), test));
    }

    @Test
    void blockSizeDoesNotChangePredictions() {
        FeatureSet train = Synthetic.blobs(300, 12, 3, 21);
        FeatureSet test = Synthetic.blobs(101, 12, 3, 22);
        int[] whole = new KnnEvaluation(new KnnOptions(5, KnnOptions.Vote.MAJORITY, 1, 1000)).predict(train, test);
        int[] blocks = new KnnEvaluation(new KnnOptions(5, KnnOptions.Vote.MAJORITY, 1, 7)).predict(train, test);
        assertArrayEquals(whole, blocks);
        assertTrue(
                new KnnEvaluation(new KnnOptions(5, KnnOptions.Vote.WEIGHTED, 0.07, 7)).accuracy(train, test) >= 0.99);
    }

    @Test
    void kLargerThanTrainSplitIsRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new KnnEvaluation(new KnnOptions(5, KnnOptions.Vote.MAJORITY, 1, 8))
                        .predict(toyTrain(), toyTrain()));
        assertEquals("knn.k must be <= the train split's 4 rows, got 5", e.getMessage());
    }

    @Test
    void optionsNameTheFieldAndRange() {
        assertEquals(
                "knn.k must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new KnnOptions(0, KnnOptions.Vote.MAJORITY, 1, 1))
                        .getMessage());
        assertEquals(
                "knn.temperature must be in (0, 10], got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new KnnOptions(1, KnnOptions.Vote.WEIGHTED, 0, 1))
                        .getMessage());
        assertEquals(
                "knn.blockSize must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new KnnOptions(1, KnnOptions.Vote.WEIGHTED, 1, 0))
                        .getMessage());
    }
}

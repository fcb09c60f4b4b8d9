package dev.contrastive.models.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LinearProbeTest {

    private static final ProbeOptions FAST = Synthetic.probe(5, 3e-2, 0, 100, 7).build();

    @Test
    void separableClassesAreLearnedAlmostPerfectly() {
        ProbeResult result =
                new LinearProbe(FAST).fitAndEvaluate(Synthetic.blobs(600, 16, 4, 1), Synthetic.blobs(400, 16, 4, 2));
        assertTrue(result.trainAccuracy() >= 0.99, "train " + result);
        assertTrue(result.testAccuracy() >= 0.99, "test " + result);
        assertEquals(600, result.trainSize());
        assertEquals(400, result.testSize());
        assertEquals(16, result.featureDim());
    }

    @Test
    void randomLabelsStayNearChanceOnTest() {
        // 64 features for 200 rows: the probe can memorise part of the train labels, never the test's.
        ProbeResult result = new LinearProbe(Synthetic.probe(25, 3e-2, 0, 50, 3).build())
                .fitAndEvaluate(Synthetic.noise(200, 64, 4, 11), Synthetic.noise(2000, 64, 4, 12));
        assertTrue(result.trainAccuracy() > 0.5, "memorises train: " + result);
        // Chance is 0.25; 2000 test rows put the binomial sd at ~0.01, so 0.32 is > 6 sd above it.
        assertTrue(result.testAccuracy() < 0.32, "near chance on test: " + result);
    }

    @Test
    void heldOutTrainRowsChooseTheEpochOnlyWhenAsked() {
        FeatureSet train = Synthetic.noisyBlobs(400, 64, 4, 0.4, 21);
        FeatureSet test = Synthetic.noisyBlobs(1000, 64, 4, 0.4, 22);
        ProbeOptions options =
                Synthetic.probe(30, 3e-2, 0, 50, 3).validationFraction(0.2).build();
        ProbeResult chosen = new LinearProbe(options).fitAndEvaluate(train, test);
        assertTrue(chosen.epochs() >= 1 && chosen.epochs() <= 30, chosen.toString());
        assertTrue(chosen.validationAccuracy() > 0.4 && chosen.validationAccuracy() <= 1, chosen.toString());
        ProbeResult all = new LinearProbe(options.withValidationFraction(0)).fitAndEvaluate(train, test);
        assertEquals(30, all.epochs());
        assertTrue(Double.isNaN(all.validationAccuracy()), all.toString());
    }

    @Test
    void standardisationUsesTrainStatisticsOnly() {
        // One feature; the label is x > 0. Train x is symmetric around 0; every test x is in [1, 3],
        // so every test label is 1. With train statistics the test rows stay positive and are all
        // classified 1. Had the test split been standardised with its own mean (2), half its rows
        // would become negative and be called 0: test accuracy ~0.5.
        int n = 400;
        float[] train = new float[n];
        int[] trainLabels = new int[n];
        float[] test = new float[n];
        int[] testLabels = new int[n];
        for (int i = 0; i < n; i++) {
            train[i] = -2f + 4f * (i + 0.5f) / n;
            trainLabels[i] = train[i] > 0 ? 1 : 0;
            test[i] = 1f + 2f * (i + 0.5f) / n;
            testLabels[i] = 1;
        }
        ProbeResult result = new LinearProbe(
                        Synthetic.probe(15, 1e-1, 0, 100, 5).build())
                .fitAndEvaluate(
                        new FeatureSet(Nd4j.create(train, new long[] {n, 1}, DataType.FLOAT), trainLabels, 2),
                        new FeatureSet(Nd4j.create(test, new long[] {n, 1}, DataType.FLOAT), testLabels, 2));
        assertTrue(result.trainAccuracy() >= 0.97, "train " + result);
        assertEquals(1.0, result.testAccuracy(), "test " + result);
    }

    @Test
    void standardizerCentresConstantColumnsWithoutScalingThem() {
        INDArray train = Nd4j.createFromArray(new float[][] {{1, 5}, {3, 5}});
        Standardizer s = Standardizer.fit(train);
        INDArray out = s.apply(Nd4j.createFromArray(new float[][] {{5, 5.5f}}));
        // Column 0: mean 2, population sd 1. Column 1: constant, so sd is replaced by 1.
        assertEquals(3.0, out.getDouble(0, 0), 1e-6);
        assertEquals(0.5, out.getDouble(0, 1), 1e-6);
        assertEquals(5.0, train.getDouble(0, 1), 0.0, "fit and apply leave their input unchanged");
    }

    @Test
    void mismatchedSplitsAreRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new LinearProbe(FAST).fitAndEvaluate(Synthetic.blobs(20, 4, 2, 1), Synthetic.blobs(20, 5, 2, 1)));
        assertTrue(e.getMessage().contains("4 features"), e.getMessage());
    }

    @Test
    void optionsNameTheFieldAndRange() {
        assertMessage(
                "probe.epochs must be in [1, 10000], got 0",
                () -> Synthetic.probe(0, 1e-3, 0, 8, 0).build());
        assertMessage(
                "probe.learningRate must be in (0, 1], got NaN",
                () -> Synthetic.probe(1, Double.NaN, 0, 8, 0).build());
        assertMessage(
                "probe.l2 must be in [0, 1], got -1.0",
                () -> Synthetic.probe(1, 1e-3, -1, 8, 0).build());
        assertMessage(
                "probe.batchSize must be >= 1, got 0",
                () -> Synthetic.probe(1, 1e-3, 0, 0, 0).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> Synthetic.probe(1, 1e-3, 0, 8, 0).validationFraction(0.5).build());
    }

    private static void assertMessage(String expected, Runnable r) {
        assertEquals(
                expected, assertThrows(IllegalArgumentException.class, r::run).getMessage());
    }
}

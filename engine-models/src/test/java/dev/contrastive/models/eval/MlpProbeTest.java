package dev.contrastive.models.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class MlpProbeTest {

    /**
     * XOR of the two coordinates' signs, points at least 0.2 from either axis: no line separates the
     * classes (a linear probe is at chance), one hidden ReLU layer does.
     */
    private static FeatureSet xor(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            float a = (float) ((0.2 + 0.8 * random.nextDouble()) * (random.nextBoolean() ? 1 : -1));
            float b = (float) ((0.2 + 0.8 * random.nextDouble()) * (random.nextBoolean() ? 1 : -1));
            x[2 * i] = a;
            x[2 * i + 1] = b;
            labels[i] = a * b > 0 ? 1 : 0;
        }
        return new FeatureSet(Nd4j.create(x, new long[] {n, 2}, DataType.FLOAT), labels, 2);
    }

    @Test
    void hiddenLayerSolvesWhatALinearProbeCannot() {
        ProbeOptions options = Synthetic.probe(4, 1e-2, 0, 100, 1).build();
        FeatureSet train = xor(1000, 1);
        FeatureSet test = xor(500, 2);
        ProbeResult mlp = new MlpProbe(options).fitAndEvaluate(train, test);
        ProbeResult linear = new LinearProbe(options).fitAndEvaluate(train, test);
        assertTrue(mlp.testAccuracy() >= 0.95, "mlp " + mlp);
        assertTrue(linear.testAccuracy() < 0.7, "linear " + linear);
        assertEquals(2, mlp.featureDim());
    }

    @Test
    void mismatchedSplitsAreRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new MlpProbe(ProbeOptions.defaults())
                        .fitAndEvaluate(Synthetic.blobs(20, 4, 2, 1), Synthetic.blobs(20, 4, 3, 1)));
        assertTrue(e.getMessage().startsWith("mlpProbe needs train and test"), e.getMessage());
    }
}

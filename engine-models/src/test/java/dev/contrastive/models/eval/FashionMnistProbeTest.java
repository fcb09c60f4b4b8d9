package dev.contrastive.models.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.FashionMnist;
import dev.contrastive.augment.transform.Presets;
import dev.contrastive.models.train.TinyRun;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The probe on real data: raw Fashion-MNIST pixels are linearly separable well above chance. */
class FashionMnistProbeTest {

    @Test
    void rawPixelLinearProbeBeatsSixtyPercent() throws IOException {
        try (Dataset train = FashionMnist.train();
                Dataset test = FashionMnist.test()) {
            // Strided so that all 10 classes are present whether the embedded subset (stored class by
            // class) or the full set is installed: 2,000 of >= 10,000 train, 500 of >= 2,000 test.
            FeatureExtractor extractor = FeatureExtractor.forPreset(Presets.fashionMnist(), 500);
            FeatureSet trainFeatures = extractor.rawPixels(TinyRun.strided(train, 2000));
            FeatureSet testFeatures = extractor.rawPixels(TinyRun.strided(test, 500));
            ProbeResult result = new LinearProbe(
                            Synthetic.probe(5, 3e-3, 1e-4, 200, 0).build())
                    .fitAndEvaluate(trainFeatures, testFeatures);
            assertEquals(1024, result.featureDim());
            // Chance is 10%; a linear model on pixels reaches ~80% on this set.
            assertTrue(result.testAccuracy() > 0.60, result.toString());
        }
    }
}

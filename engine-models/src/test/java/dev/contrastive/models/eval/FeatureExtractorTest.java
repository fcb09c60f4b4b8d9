package dev.contrastive.models.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.FashionMnist;
import dev.contrastive.augment.data.Image;
import dev.contrastive.augment.transform.ImageBatch;
import dev.contrastive.augment.transform.Normalize;
import dev.contrastive.augment.transform.Presets;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.amdim.AmdimMethodConfig;
import dev.contrastive.models.registry.Methods;
import dev.contrastive.models.train.TinyRun;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FeatureExtractorTest {

    private static Dataset train;
    private static Dataset images;

    @BeforeAll
    static void open() throws IOException {
        train = FashionMnist.train();
        images = TinyRun.strided(train, 10);
    }

    @AfterAll
    static void close() throws IOException {
        images.close();
    }

    @Test
    void rawPixelsArePaddedNormalisedAndFlattened() {
        FeatureSet set = FeatureExtractor.forPreset(Presets.fashionMnist(), 3).rawPixels(images);
        assertArrayEquals(new long[] {10, 32 * 32}, set.features().shape());
        assertEquals(10, set.classes());
        Normalize n = Presets.fashionMnist().normalize();
        float black = -n.mean()[0] / n.std()[0];
        for (int i = 0; i < 10; i++) {
            Image image = images.get(i);
            assertEquals(image.label(), set.labels()[i]);
            // Row 0 of the padded image is the pad; pixel (2 + y, 2 + x) is the original (y, x).
            assertEquals(black, set.features().getFloat(i, 0), 1e-6);
            for (int y = 0; y < 28; y += 9) {
                for (int x = 0; x < 28; x += 5) {
                    float expected = (image.pixel(0, y, x) / 255f - n.mean()[0]) / n.std()[0];
                    assertEquals(expected, set.features().getFloat(i, (2 + y) * 32 + 2 + x), 1e-5);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"amdim", "cpc", "yadim", "simclr"})
    void methodFeaturesMatchOneForwardOverTheWholeSet(String name) {
        try (Method method = TinyRun.create(name, 3)) {
            // Batches of 4 (the last one of 2) through the workspace, against one plain call on all ten:
            // the same rows, so per-batch copying and workspace reuse lose nothing.
            FeatureSet set =
                    FeatureExtractor.forPreset(Presets.fashionMnist(), 4).features(images, method);
            int dim = method.featureDim();
            assertArrayEquals(new long[] {10, dim}, set.features().shape());

            List<Image> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                all.add(images.get(i));
            }
            ImageBatch batch = FeatureExtractor.forPreset(Presets.fashionMnist(), 1)
                    .preprocess()
                    .apply(ImageBatch.fromImages(all, ImageBatch.streams(0, 10)));
            INDArray x = Nd4j.create(batch.data(), new long[] {10, 1, 32, 32}, DataType.FLOAT);
            INDArray expected = method.features(x).dup();
            assertEquals(0.0, expected.sub(set.features()).amaxNumber().doubleValue(), 1e-5);
            assertTrue(expected.norm2Number().doubleValue() > 0, "the features are not all zero");
        }
    }

    @Test
    void mismatchedModelInputIsRejected() {
        try (Method method = Methods.create(AmdimMethodConfig.of(AmdimConfig.small(3)), 3)) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> FeatureExtractor.forPreset(Presets.fashionMnist(), 4).features(images, method));
            assertEquals(
                    "featureExtractor.preprocess makes 1 x 32 x 32 images of '"
                            + images.info().name()
                            + "', the amdim model takes 3 x 32 x 32",
                    e.getMessage());
        }
    }

    @Test
    void batchSizeIsValidated() {
        assertEquals(
                "featureExtractor.batchSize must be >= 1, got 0",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> FeatureExtractor.forPreset(Presets.fashionMnist(), 0))
                        .getMessage());
    }
}

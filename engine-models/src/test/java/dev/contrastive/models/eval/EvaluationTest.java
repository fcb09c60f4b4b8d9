package dev.contrastive.models.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.FashionMnist;
import dev.contrastive.augment.data.Image;
import dev.contrastive.augment.data.InMemoryDataset;
import dev.contrastive.models.eval.EvaluationOptions.Probe;
import dev.contrastive.models.eval.EvaluationReport.Scores;
import dev.contrastive.models.train.TinyRun;
import dev.contrastive.models.train.TrainedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Evaluation} on a tiny trained checkpoint and 500 / 200 embedded Fashion-MNIST images. */
class EvaluationTest {

    @TempDir
    static Path tmp;

    private static TrainedModel trained;
    private static Dataset trainBase;
    private static Dataset testBase;
    private static Dataset train;
    private static Dataset test;

    @BeforeAll
    static void trainTinyRun() throws IOException {
        trained = TrainedModel.load(TinyRun.train(tmp.resolve("run"), "amdim", 20));
        trainBase = FashionMnist.embedded(FashionMnist.Split.TRAIN);
        testBase = FashionMnist.embedded(FashionMnist.Split.TEST);
        train = TinyRun.strided(trainBase, 500);
        test = TinyRun.strided(testBase, 200);
    }

    @AfterAll
    static void close() throws Exception {
        trained.close();
        trainBase.close();
        testBase.close();
    }

    @Test
    void learnedFeaturesBeatChanceAndBaselinesAreMeasuredInTheSameRun() throws IOException {
        EvaluationOptions options = EvaluationOptions.defaults()
                .withProbes(EnumSet.of(Probe.LINEAR, Probe.KNN))
                .withBaselines(true)
                .withProbe(Synthetic.probe(10, 1e-2, 1e-4, 100, 0).build());
        EvaluationReport report = new Evaluation(options).run(trained, train, test, 250);
        System.out.println(report.toJson());

        assertEquals(20, report.step());
        assertEquals("amdim", report.method());
        assertEquals(trained.checkpoint().toString(), report.checkpoint());
        assertEquals(500, report.train().size());
        assertEquals(200, report.test().size());
        assertEquals(10, report.test().classes());
        // r1 and the pooled r5 and r7 of the tiny encoder, 32 each.
        checkScores(report.learned(), Evaluation.LEARNED, 96);
        checkScores(report.rawPixels(), Evaluation.RAW_PIXELS, 1024);
        checkScores(report.randomInit(), Evaluation.RANDOM_INIT, 96);
        // Chance is 10%; even 20 steps of a tiny encoder give features a linear probe separates.
        assertTrue(
                report.learned().linear().testAccuracy() > 0.3, report.learned().toString());
        assertEquals(500, report.learned().linear().trainSize());
        assertEquals(200, report.learned().linear().testSize());

        Path json = tmp.resolve("eval.json");
        report.writeJson(json);
        assertEquals(report, EvaluationReport.readJson(json));
    }

    private static void checkScores(Scores s, String name, int dim) {
        assertNotNull(s, name);
        assertEquals(name, s.features());
        assertEquals(dim, s.featureDim());
        assertTrue(s.linear().testAccuracy() >= 0 && s.linear().testAccuracy() <= 1, s.toString());
        assertTrue(s.linear().trainAccuracy() >= 0 && s.linear().trainAccuracy() <= 1, s.toString());
        assertTrue(s.knnAccuracy() >= 0 && s.knnAccuracy() <= 1, s.toString());
        assertNull(s.mlp());
    }

    @Test
    void withoutBaselinesOnlyTheLearnedFeaturesAreScored() {
        EvaluationReport report = new Evaluation(EvaluationOptions.defaults()
                        .withProbes(EnumSet.of(Probe.MLP))
                        .withProbe(Synthetic.probe(2, 3e-3, 1e-4, 200, 0).build()))
                .run(trained, train, TinyRun.strided(testBase, 100), 250);
        assertNull(report.rawPixels());
        assertNull(report.randomInit());
        assertNull(report.learned().linear());
        assertNotNull(report.learned().mlp());
        assertTrue(report.learned().mlp().testAccuracy() > 0.1, report.learned().toString());
    }

    @Test
    void dataThePresetCannotPreprocessIsRefusedNamingTheShapes() {
        List<Image> images = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            images.add(new Image(new byte[3 * 28 * 28], 3, 28, 28, i));
        }
        Dataset rgb = InMemoryDataset.of("rgb", images, 10);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new Evaluation(EvaluationOptions.defaults()).run(trained, rgb, rgb, 4));
        assertTrue(e.getMessage().contains("3"), e.getMessage());
    }

    @Test
    void optionsAndReportsRejectOutOfRangeFields() {
        IllegalArgumentException none = assertThrows(
                IllegalArgumentException.class,
                () -> EvaluationOptions.defaults().withProbes(EnumSet.noneOf(Probe.class)));
        assertTrue(none.getMessage().contains("evaluation.probes"), none.getMessage());
        IllegalArgumentException accuracy =
                assertThrows(IllegalArgumentException.class, () -> new Scores("x", 4, 0, null, null, 1.5, 0));
        assertTrue(accuracy.getMessage().contains("x.knnAccuracy must be in [0, 1]"), accuracy.getMessage());
    }
}

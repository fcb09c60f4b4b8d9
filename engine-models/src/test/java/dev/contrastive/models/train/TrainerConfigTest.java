package dev.contrastive.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.models.encoder.ProbeTaps;
import dev.contrastive.models.method.amdim.AmdimMethodConfig;
import dev.contrastive.models.train.optim.AdamOptions;
import dev.contrastive.models.train.optim.LearningRateSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrainerConfigTest {

    @ParameterizedTest
    @ValueSource(strings = {"amdim", "cpc", "yadim", "simclr"})
    void roundTripsThroughJsonWithItsMethodAndSchedule(String method) {
        TrainerConfig c = TinyRun.builder(method)
                .epochs(3)
                .adam(AdamOptions.amdim().withMaxGradNorm(1))
                .schedule(new LearningRateSchedule.WarmUp(50, new LearningRateSchedule.Cosine(1e-2, 1000)))
                .build();
        assertEquals(c, TrainerConfig.fromJson(c.toJson()));
        assertEquals(method, TrainerConfig.fromJson(c.toJson()).method().method());
        assertEquals("warmUp", c.toJson().get("schedule").get("kind").asText());
    }

    @Test
    void theLearningRateIsAdamsTimesTheSchedulesFactor() {
        TrainerConfig c = TinyRun.builder("amdim")
                .lr(4e-3)
                .schedule(new LearningRateSchedule.WarmUp(4, LearningRateSchedule.constant()))
                .build();
        assertEquals(1e-3, c.learningRate(1), 1e-15);
        assertEquals(4e-3, c.learningRate(4), 1e-15);
        assertEquals(4e-3, c.learningRate(100), 1e-15);
    }

    @Test
    void aRunContinuesUnderAnotherLengthOrThreadCountButNotOtherHyperParameters() {
        TrainerConfig c = TinyRun.builder("amdim").steps(100).build();
        assertTrue(c.continues(c.toBuilder().epochs(5).build()), "another length");
        assertTrue(c.continues(c.toBuilder().augmentThreads(7).build()), "another thread count");
        assertTrue(c.continues(c.toBuilder().split(4, 2).build()), "another split of the same global batch");
        assertFalse(c.continues(c.toBuilder().batch(32).build()), "another batch");
        assertFalse(c.continues(c.toBuilder().lr(1e-4).build()), "another learning rate");
        assertFalse(
                c.continues(c.toBuilder()
                        .validation(new ValidationOptions(5, 0, EarlyStopping.off()))
                        .build()),
                "another validation schedule");
        assertFalse(
                c.continues(TrainerConfig.builder(((AmdimMethodConfig) c.method()).withProbe(ProbeTaps.R1))
                        .preset(c.preset())
                        .steps(100)
                        .batch(16)
                        .seed(11)
                        .lr(2e-3)
                        .schedule(LearningRateSchedule.constant())
                        .build()),
                "another method config");
        assertFalse(c.continues(TinyRun.builder("yadim").steps(100).build()), "another method");
    }

    @Test
    void settingsAreValidatedWhereTheyAreSetNamingTheFieldAndItsRange() {
        TrainerConfig.Builder b = TinyRun.builder("amdim");
        assertMessage(() -> b.batch(1), "trainer.batch must be in [2, 65536], got 1");
        assertMessage(() -> b.steps(0), "trainer.steps must be in [1, 1000000000], got 0");
        assertMessage(() -> b.epochs(-2), "trainer.epochs must be in [1, 1000000], got -2");
        assertMessage(() -> b.augmentThreads(0), "trainer.augmentThreads must be in [1, 256], got 0");
        assertMessage(() -> b.checkpointEvery(0), "trainer.checkpointEvery must be in [1, 1000000000], got 0");
        assertMessage(() -> b.split(0, 0), "trainer.replicas must be in [1, 64], got 0");
        assertMessage(
                () -> b.split(2, -1), "trainer.microBatch must be in [1, 65536], or 0 for no micro-batches, got -1");
        assertMessage(
                () -> TinyRun.builder("amdim").batch(16).split(3, 0).build(),
                "trainer.batch of 16 does not divide among trainer.replicas = 3: use a batch that is a multiple of 3");
        assertMessage(
                () -> TinyRun.builder("amdim").batch(16).split(2, 3).build(),
                "trainer.microBatch of 3 does not divide each replica's 8 images (trainer.batch 16 / trainer.replicas 2)");
        TrainerConfig split = TinyRun.builder("amdim").batch(16).split(2, 4).build();
        assertEquals(split, TrainerConfig.fromJson(split.toJson()), "the split survives JSON");
        assertMessage(() -> b.onlineProbeLr(2), "trainer.onlineProbeLr must be in [0, 1]");
        assertMessage(() -> b.preset("no-such-preset"), "preset must be one of");
        assertMessage(() -> b.lr(-1), "adam.lr must be finite and > 0, got -1.0");
        assertMessage(
                () -> TrainerConfig.builder(AmdimMethodConfig.of(TinyRun.TINY_AMDIM))
                        .build(),
                "trainer.preset must be set");
        assertMessage(
                () -> new ValidationOptions(-1, 0, EarlyStopping.off()), "validation.every must be in [0, 1000000000]");
        assertMessage(() -> new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, -1, 0), "earlyStopping.patience");
        assertMessage(() -> new AmdimMethodConfig(TinyRun.TINY_AMDIM, AmdimOptions.defaults(), null), "amdim.probe");
    }

    @Test
    void aDamagedConfigNamesTheMissingSetting() {
        var json = (org.nd4j.shade.jackson.databind.node.ObjectNode)
                TinyRun.config("amdim", 10, 5).toJson();
        json.remove("batch");
        assertMessage(() -> TrainerConfig.fromJson(json), "'batch' is missing");
        json.put("batch", 16);
        ((org.nd4j.shade.jackson.databind.node.ObjectNode) json.get("method")).put("name", "moco");
        assertMessage(
                () -> TrainerConfig.fromJson(json), "method must be one of amdim, cpc, yadim, simclr, got 'moco'");
    }

    private static void assertMessage(Runnable r, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}

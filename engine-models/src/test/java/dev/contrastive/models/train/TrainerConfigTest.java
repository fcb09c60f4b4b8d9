package dev.contrastive.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.train.optim.AdamOptions;
import dev.contrastive.models.train.optim.LearningRateSchedule;
import org.junit.jupiter.api.Test;

class TrainerConfigTest {

  private static TrainerConfig withSteps(long steps, int epochs, int batch) {
    return new TrainerConfig(steps, epochs, batch, 1, 2, 10, "/tmp/run", AmdimConfig.small(1),
        AmdimOptions.defaults(), AdamOptions.amdim(), LearningRateSchedule.amdim());
  }

  @Test
  void roundTripsThroughJsonWithItsSchedule() {
    TrainerConfig c = new TrainerConfig(0, 3, 64, 7, 2, 100, "/tmp/run", TrainerConfig.encoderNamed("small", 1),
        AmdimOptions.defaults().withTclip(10), AdamOptions.amdim().withMaxGradNorm(1),
        new LearningRateSchedule.WarmUp(50, new LearningRateSchedule.Cosine(1e-3, 1e-5, 1000)));
    assertEquals(c, TrainerConfig.fromJson(c.toJson()));
    assertEquals("warmUp", c.toJson().get("schedule").get("kind").asText());
  }

  @Test
  void aRunContinuesUnderAnotherLengthOrPathButNotOtherHyperParameters() {
    TrainerConfig c = withSteps(100, 0, 16);
    assertTrue(c.continues(withSteps(0, 5, 16)), "another length");
    assertTrue(c.continues(new TrainerConfig(100, 0, 16, 1, 7, 10, "/elsewhere", AmdimConfig.small(1),
        AmdimOptions.defaults(), AdamOptions.amdim(), LearningRateSchedule.amdim())), "another path and thread count");
    assertFalse(c.continues(withSteps(100, 0, 32)), "another batch");
    assertFalse(c.continues(new TrainerConfig(100, 0, 16, 1, 2, 10, "/tmp/run", AmdimConfig.small(1),
        AmdimOptions.defaults(), AdamOptions.amdim(), LearningRateSchedule.amdim(),
        new ValidationOptions(5, 0, EarlyStopping.off()), 1e-3)), "another validation schedule");
  }

  @Test
  void validationNamesTheFieldAndItsRange() {
    assertMessage(() -> withSteps(10, 2, 16), "exactly one of steps and epochs");
    assertMessage(() -> withSteps(0, 0, 16), "exactly one of steps and epochs");
    assertMessage(() -> withSteps(10, 0, 1), "trainer.batch must be in [2, 65536], got 1");
    assertMessage(() -> TrainerConfig.encoderNamed("huge", 1), "'small' or 'cifar'");
    assertMessage(() -> TrainerConfig.encoderNamed("cifar", 1), "takes 3 channels");
    assertMessage(() -> new TrainerConfig(10, 0, 16, 1, 0, 10, "/tmp/run", AmdimConfig.small(1),
        AmdimOptions.defaults(), AdamOptions.amdim(), LearningRateSchedule.amdim()),
        "trainer.threads must be in [1, 256], got 0");
    assertMessage(() -> new TrainerConfig(10, 0, 16, 1, 2, 0, "/tmp/run", AmdimConfig.small(1),
        AmdimOptions.defaults(), AdamOptions.amdim(), LearningRateSchedule.amdim()),
        "trainer.checkpointEvery must be in [1, 1000000000], got 0");
    assertMessage(() -> new TrainerConfig(10, 0, 16, 1, 2, 10, " ", AmdimConfig.small(1),
        AmdimOptions.defaults(), AdamOptions.amdim(), LearningRateSchedule.amdim()), "trainer.runDir");
    assertMessage(() -> new ValidationOptions(-1, 0, EarlyStopping.off()), "validation.every must be in [0, 1000000000]");
    assertMessage(() -> new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, -1, 0), "earlyStopping.patience");
    assertMessage(() -> new TrainerConfig(10, 0, 16, 1, 2, 10, "/tmp/run", AmdimConfig.small(1),
        AmdimOptions.defaults(), AdamOptions.amdim(), LearningRateSchedule.amdim(), ValidationOptions.defaults(), 2),
        "trainer.onlineProbeLr must be in [0, 1]");
  }

  private static void assertMessage(Runnable r, String part) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }
}

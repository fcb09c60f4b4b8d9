package dev.contrastive.models.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.contrastive.models.train.optim.LearningRateSchedule.Constant;
import dev.contrastive.models.train.optim.LearningRateSchedule.Cosine;
import dev.contrastive.models.train.optim.LearningRateSchedule.StepDecay;
import dev.contrastive.models.train.optim.LearningRateSchedule.WarmUp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class LearningRateScheduleTest {

  private static final double EXACT = 1e-15;

  private static void rejects(String message, Executable build) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, build).getMessage());
  }

  @Test
  void amdimWarmsUpOver500StepsThenHolds() {
    LearningRateSchedule s = LearningRateSchedule.amdim();
    assertEquals(2e-4 / 500, s.rate(1), EXACT);
    assertEquals(1e-4, s.rate(250), EXACT);
    assertEquals(2e-4 * 499 / 500, s.rate(499), EXACT);
    assertEquals(2e-4, s.rate(500), EXACT);
    assertEquals(2e-4, s.rate(501), EXACT);
    assertEquals(2e-4, s.rate(1_000_000), EXACT);
  }

  @Test
  void stepDecayChangesRightAfterEachBlock() {
    StepDecay s = new StepDecay(1.0, 0.5, 10);
    assertEquals(1.0, s.rate(1), EXACT);
    assertEquals(1.0, s.rate(10), EXACT);
    assertEquals(0.5, s.rate(11), EXACT);
    assertEquals(0.5, s.rate(20), EXACT);
    assertEquals(0.25, s.rate(21), EXACT);
  }

  @Test
  void cosineRunsFromTheRateToTheFloorThenHolds() {
    Cosine s = new Cosine(1.0, 0.1, 11);
    assertEquals(1.0, s.rate(1), EXACT);
    assertEquals(0.55, s.rate(6), EXACT);
    assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.2)), s.rate(3), EXACT);
    assertEquals(0.1, s.rate(11), EXACT);
    assertEquals(0.1, s.rate(12), EXACT);
    assertEquals(0.1, s.rate(1000), EXACT);
  }

  @Test
  void warmUpScalesTheInnerScheduleAtTheSameStep() {
    WarmUp s = new WarmUp(4, new Cosine(1.0, 0.0, 9));
    assertEquals(0.25 * new Cosine(1.0, 0.0, 9).rate(1), s.rate(1), EXACT);
    assertEquals(0.75 * 0.5 * (1 + Math.cos(Math.PI * 2 / 8)), s.rate(3), EXACT);
    assertEquals(0.5, s.rate(5), EXACT);
    assertEquals(0.0, s.rate(9), EXACT);
  }

  @Test
  void invalidSchedulesNameTheFieldAndRange() {
    rejects("constant.lr must be finite and > 0, got -1.0", () -> new Constant(-1));
    rejects("warmUp.steps must be >= 1, got 0", () -> new WarmUp(0, new Constant(1)));
    rejects("warmUp.after must be a schedule, got null", () -> new WarmUp(5, null));
    rejects("stepDecay.lr must be finite and > 0, got NaN", () -> new StepDecay(Double.NaN, 0.5, 1));
    rejects("stepDecay.gamma must be in (0, 1], got 1.5", () -> new StepDecay(1, 1.5, 1));
    rejects("stepDecay.every must be >= 1, got 0", () -> new StepDecay(1, 0.5, 0));
    rejects("cosine.floor must be in [0, lr=1.0], got 2.0", () -> new Cosine(1, 2, 10));
    rejects("cosine.totalSteps must be >= 2, got 1", () -> new Cosine(1, 0, 1));
    rejects("schedule step must be >= 1 (updates count from 1), got 0", () -> new Constant(1).rate(0));
  }
}

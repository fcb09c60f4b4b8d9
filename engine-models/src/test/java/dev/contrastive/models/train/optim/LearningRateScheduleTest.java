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
        assertEquals(
                message, assertThrows(IllegalArgumentException.class, build).getMessage());
    }

    @Test
    void amdimWarmsUpOver500StepsThenHolds() {
        LearningRateSchedule s = LearningRateSchedule.amdim();
        assertEquals(1.0 / 500, s.factor(1), EXACT);
        assertEquals(0.5, s.factor(250), EXACT);
        assertEquals(499.0 / 500, s.factor(499), EXACT);
        assertEquals(1.0, s.factor(500), EXACT);
        assertEquals(1.0, s.factor(501), EXACT);
        assertEquals(1.0, s.factor(1_000_000), EXACT);
    }

    @Test
    void stepDecayChangesRightAfterEachBlock() {
        StepDecay s = new StepDecay(0.5, 10);
        assertEquals(1.0, s.factor(1), EXACT);
        assertEquals(1.0, s.factor(10), EXACT);
        assertEquals(0.5, s.factor(11), EXACT);
        assertEquals(0.5, s.factor(20), EXACT);
        assertEquals(0.25, s.factor(21), EXACT);
    }

    @Test
    void cosineRunsFromTheRateToTheFloorThenHolds() {
        Cosine s = new Cosine(0.1, 11);
        assertEquals(1.0, s.factor(1), EXACT);
        assertEquals(0.55, s.factor(6), EXACT);
        assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.2)), s.factor(3), EXACT);
        assertEquals(0.1, s.factor(11), EXACT);
        assertEquals(0.1, s.factor(12), EXACT);
        assertEquals(0.1, s.factor(1000), EXACT);
    }

    @Test
    void warmUpScalesTheInnerScheduleAtTheSameStep() {
        WarmUp s = new WarmUp(4, new Cosine(0.0, 9));
        assertEquals(0.25 * new Cosine(0.0, 9).factor(1), s.factor(1), EXACT);
        assertEquals(0.75 * 0.5 * (1 + Math.cos(Math.PI * 2 / 8)), s.factor(3), EXACT);
        assertEquals(0.5, s.factor(5), EXACT);
        assertEquals(0.0, s.factor(9), EXACT);
    }

    @Test
    void invalidSchedulesNameTheFieldAndRange() {
        rejects("warmUp.steps must be >= 1, got 0", () -> new WarmUp(0, new Constant()));
        rejects("warmUp.after must be a schedule, got null", () -> new WarmUp(5, null));
        rejects("stepDecay.gamma must be in (0, 1], got 1.5", () -> new StepDecay(1.5, 1));
        rejects("stepDecay.gamma must be in (0, 1], got NaN", () -> new StepDecay(Double.NaN, 1));
        rejects("stepDecay.every must be >= 1, got 0", () -> new StepDecay(0.5, 0));
        rejects("cosine.floor must be in [0, 1] (a fraction of the rate), got 2.0", () -> new Cosine(2, 10));
        rejects("cosine.totalSteps must be >= 2, got 1", () -> new Cosine(0, 1));
        rejects("schedule step must be >= 1 (updates count from 1), got 0", () -> new Constant().factor(0));
    }
}

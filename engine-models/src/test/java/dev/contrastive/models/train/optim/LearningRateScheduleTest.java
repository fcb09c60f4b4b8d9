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

    /** The schedule's factor at each of {@code steps}, to {@link #EXACT}. */
    private static void assertFactors(LearningRateSchedule s, long[] steps, double[] factors) {
        for (int i = 0; i < steps.length; i++) {
            assertEquals(factors[i], s.factor(steps[i]), EXACT, "step " + steps[i]);
        }
    }

    @Test
    void amdimWarmsUpOver500StepsThenHolds() {
        LearningRateSchedule s = LearningRateSchedule.amdim();
        assertFactors(s, new long[] {1, 250, 499, 500, 501, 1_000_000}, new double[] {
            1.0 / 500, 0.5, 499.0 / 500, 1.0, 1.0, 1.0
        });
    }

    @Test
    void stepDecayChangesRightAfterEachBlock() {
        StepDecay s = new StepDecay(0.5, 10);
        assertFactors(s, new long[] {1, 10, 11, 20, 21}, new double[] {1.0, 1.0, 0.5, 0.5, 0.25});
    }

    @Test
    void cosineRunsFromTheRateToTheFloorThenHolds() {
        Cosine s = new Cosine(0.1, 11);
        assertFactors(s, new long[] {1, 6, 3, 11, 12, 1000}, new double[] {
            1.0, 0.55, 0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.2)), 0.1, 0.1, 0.1
        });
    }

    @Test
    void warmUpScalesTheInnerScheduleAtTheSameStep() {
        WarmUp s = new WarmUp(4, new Cosine(0.0, 9));
        assertFactors(s, new long[] {1, 3, 5, 9}, new double[] {
            0.25 * new Cosine(0.0, 9).factor(1), 0.75 * 0.5 * (1 + Math.cos(Math.PI * 2 / 8)), 0.5, 0.0
        });
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

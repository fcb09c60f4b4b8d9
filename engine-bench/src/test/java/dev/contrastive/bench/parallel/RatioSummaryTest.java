package dev.contrastive.bench.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RatioSummaryTest {

    @Test
    void summarisesTheRoundsRatios() {
        // Ratios 2, 1, 4, 0.5, 1: median 1, extremes 0.5 and 4.
        RatioSummary s = RatioSummary.of(new double[] {200, 100, 400, 50, 300}, new double[] {100, 100, 100, 100, 300});
        assertEquals(1.0, s.median(), 1e-12);
        assertEquals(0.5, s.min(), 1e-12);
        assertEquals(4.0, s.max(), 1e-12);
        assertEquals(5, s.rounds());
        assertTrue(s.lowerQuartile() <= 1 && s.upperQuartile() >= 1, s.toString());
    }

    @Test
    void refusesMismatchedOrNonPositiveTimings() {
        assertThrows(IllegalArgumentException.class, () -> RatioSummary.of(new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> RatioSummary.of(new double[0], new double[0]));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> RatioSummary.of(new double[] {1, 0}, new double[] {1, 1}));
        assertTrue(e.getMessage().startsWith("round 1"), e.getMessage());
    }
}

package dev.contrastive.models.method;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class StepChecksTest {

    @Test
    void finiteValuesPass() {
        assertTrue(StepChecks.allFinite(Nd4j.createFromArray(1f, -2f, 0f, 3.5e-40f)));
    }

    @Test
    void finiteValuesWhoseSumOverflowsStillPass() {
        assertTrue(StepChecks.allFinite(Nd4j.createFromArray(3e38f, 3e38f, 3e38f)));
    }

    @Test
    void nanOrInfinityAnywhereFails() {
        assertFalse(StepChecks.allFinite(Nd4j.createFromArray(1f, Float.NaN, 2f)));
        assertFalse(StepChecks.allFinite(Nd4j.createFromArray(1f, 2f, Float.POSITIVE_INFINITY)));
        assertFalse(StepChecks.allFinite(Nd4j.createFromArray(Float.NEGATIVE_INFINITY, 1f)));
        assertFalse(StepChecks.allFinite(Nd4j.createFromArray(Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY)));
    }
}

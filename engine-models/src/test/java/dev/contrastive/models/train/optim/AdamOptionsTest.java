package dev.contrastive.models.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class AdamOptionsTest {

    private static void rejects(String message, Executable build) {
        assertEquals(
                message, assertThrows(IllegalArgumentException.class, build).getMessage());
    }

    /** Valid options, each of which a case below makes invalid. */
    private static AdamOptions.Builder valid() {
        return AdamOptions.builder()
                .lr(1e-3)
                .beta1(0.9)
                .beta2(0.999)
                .eps(1e-8)
                .weightDecay(0)
                .decoupled(false)
                .maxGradNorm(0);
    }

    @Test
    void amdimDefaultsAreThePublishedOnes() {
        assertEquals(
                AdamOptions.builder()
                        .lr(2e-4)
                        .beta1(0.8)
                        .beta2(0.999)
                        .eps(1e-8)
                        .weightDecay(1e-5)
                        .decoupled(false)
                        .maxGradNorm(0)
                        .build(),
                AdamOptions.amdim());
    }

    @Test
    void eachFieldNamesItselfAndItsRange() {
        rejects("adam.lr must be finite and > 0, got 0.0", () -> valid().lr(0).build());
        rejects(
                "adam.lr must be finite and > 0, got NaN",
                () -> valid().lr(Double.NaN).build());
        rejects("adam.beta1 must be in [0, 1), got 1.0", () -> valid().beta1(1).build());
        rejects(
                "adam.beta2 must be in [0, 1), got -0.1",
                () -> valid().beta2(-0.1).build());
        rejects("adam.eps must be finite and > 0, got 0.0", () -> valid().eps(0).build());
        rejects(
                "adam.weightDecay must be finite and >= 0, got -1.0E-5",
                () -> valid().weightDecay(-1e-5).build());
        rejects(
                "adam.maxGradNorm must be finite and >= 0 (0 = no clipping), got Infinity",
                () -> valid().maxGradNorm(Double.POSITIVE_INFINITY).build());
    }
}

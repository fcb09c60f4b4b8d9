package dev.contrastive.models.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class AdamOptionsTest {

  private static void rejects(String message, Executable build) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, build).getMessage());
  }

  @Test
  void amdimDefaultsAreThePublishedOnes() {
    assertEquals(new AdamOptions(2e-4, 0.8, 0.999, 1e-8, 1e-5, false, 0), AdamOptions.amdim());
  }

  @Test
  void eachFieldNamesItselfAndItsRange() {
    rejects("adam.lr must be finite and > 0, got 0.0", () -> new AdamOptions(0, 0.9, 0.999, 1e-8, 0, false, 0));
    rejects("adam.lr must be finite and > 0, got NaN",
        () -> new AdamOptions(Double.NaN, 0.9, 0.999, 1e-8, 0, false, 0));
    rejects("adam.beta1 must be in [0, 1), got 1.0", () -> new AdamOptions(1e-3, 1, 0.999, 1e-8, 0, false, 0));
    rejects("adam.beta2 must be in [0, 1), got -0.1", () -> new AdamOptions(1e-3, 0.9, -0.1, 1e-8, 0, false, 0));
    rejects("adam.eps must be finite and > 0, got 0.0", () -> new AdamOptions(1e-3, 0.9, 0.999, 0, 0, false, 0));
    rejects("adam.weightDecay must be finite and >= 0, got -1.0E-5",
        () -> new AdamOptions(1e-3, 0.9, 0.999, 1e-8, -1e-5, false, 0));
    rejects("adam.maxGradNorm must be finite and >= 0 (0 = no clipping), got Infinity",
        () -> new AdamOptions(1e-3, 0.9, 0.999, 1e-8, 0, false, Double.POSITIVE_INFINITY));
  }
}

package dev.contrastive.core.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A loss called inside the caller's per-step workspace reuses native memory from step to step. */
class LossWorkspaceTest {

  private static final WorkspaceConfiguration STEP =
      WorkspaceConfiguration.builder()
          .policyAllocation(AllocationPolicy.OVERALLOCATE)
          .policyLearning(LearningPolicy.FIRST_LOOP)
          .policySpill(SpillPolicy.REALLOCATE)
          .build();

  @Test
  void gradientsLandInTheCallersWorkspaceAndStepsDoNotGrowNativeMemory() {
    INDArray a = Nd4j.randn(DataType.FLOAT, 2048, 128);
    INDArray b = Nd4j.randn(DataType.FLOAT, 2048, 128);
    InfoNceLoss loss = new InfoNceLoss(InfoNceOptions.defaults());
    long afterWarmUp = 0;
    for (int step = 0; step < 30; step++) {
      if (step == 5) {
        afterWarmUp = Pointer.physicalBytes();
      }
      try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP, "step")) {
        LossResult r = loss.compute(a, b);
        INDArray g = r.gradient("a");
        assertTrue(g.isAttached(), "gradient should live in the caller's workspace");
        assertEquals("step", g.data().getParentWorkspace().getId());
        assertTrue(Double.isFinite(g.sumNumber().doubleValue()));
      }
    }
    // Each call allocates ~10 MB (two views, two gradient accumulators, outputs); outside
    // workspaces 25 calls would keep ~250 MB until a garbage collection.
    long growth = Pointer.physicalBytes() - afterWarmUp;
    assertTrue(growth < 40L << 20, "resident set grew by " + (growth >> 20) + " MiB over 25 steps");
  }

  @Test
  void outsideAnyWorkspaceGradientsAreDetached() {
    try (LossResult r =
        new InfoNceLoss(InfoNceOptions.defaults())
            .compute(Nd4j.randn(DataType.FLOAT, 8, 4), Nd4j.randn(DataType.FLOAT, 8, 4))) {
      assertFalse(r.gradient("a").isAttached());
    }
  }
}

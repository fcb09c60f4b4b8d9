package dev.contrastive.core.kernel;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Workspaces that own the engine's scratch arrays, so a loop reuses the same native memory instead
 * of leaving one allocation per pass for the GC.
 *
 * <p>Two nested scopes: one per row block (row statistics), one per tile (score buffers). Each resets
 * when it closes, so peak scratch is one row block's vectors plus one tile's buffers.
 */
public final class Scratch {

  private static final WorkspaceConfiguration CONFIG =
      WorkspaceConfiguration.builder()
          .initialSize(0)
          .policyAllocation(AllocationPolicy.OVERALLOCATE)
          .overallocationLimit(0.1)
          .policyLearning(LearningPolicy.FIRST_LOOP)
          .policyReset(ResetPolicy.BLOCK_LEFT)
          .policySpill(SpillPolicy.REALLOCATE)
          .build();

  private Scratch() {}

  /**
   * Opens (or reopens) the workspace {@code id}: it learns its size on first use and hands the same
   * memory to every later scope of that id on this thread.
   */
  public static MemoryWorkspace scope(String id) {
    return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, id);
  }

  /** Scope for one row block's statistics. */
  static MemoryWorkspace rowBlock() {
    return scope("contrastive-row-block");
  }

  /** Scope for one tile's score buffers. */
  static MemoryWorkspace tile() {
    return scope("contrastive-tile");
  }

  /** A (n, 1) column of the given values, for row-wise broadcasts. */
  static INDArray column(double[] values, int n, DataType type) {
    return Nd4j.create(values.length == n ? values : java.util.Arrays.copyOf(values, n),
        new long[] {n, 1}, type);
  }
}

package dev.contrastive.core.loss;

import dev.contrastive.core.memory.NativeMemory;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a loss call's arrays live. Everything a call needs only while it runs (concatenated views,
 * flattened maps, accumulators) goes into one workspace that the next call reuses: in ND4J
 * 1.0.0-M2.1 {@code INDArray.close()} does not return native memory (measured: RSS grows by the
 * array's size per create-and-close), so anything outside a workspace waits for the GC. The gradients
 * handed back go into the caller's workspace when the call runs inside one, else outside any.
 */
final class LossScope {

  private LossScope() {}

  /** The workspace the caller is in, or null. */
  static MemoryWorkspace caller() {
    return Nd4j.getMemoryManager().getCurrentWorkspace();
  }

  /** Opens the call's scratch workspace. */
  static MemoryWorkspace scratch() {
    return NativeMemory.scope("contrastive-loss");
  }

  /** Scope in which the call's outputs are allocated: the caller's workspace, or none. */
  static MemoryWorkspace outputs(MemoryWorkspace caller) {
    return caller == null
        ? Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()
        : caller.notifyScopeBorrowed();
  }
}

package dev.contrastive.core.kernel;

import dev.contrastive.core.memory.NativeMemory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The kernels' two nested scratch scopes ({@link NativeMemory}): one per row block (row
 * statistics), one per tile (score buffers). Each resets when it closes, so peak scratch is one row
 * block's vectors plus one tile's buffers, reused by every block and tile.
 */
final class Scratch {

    private Scratch() {}

    /** Scope for one row block's statistics. */
    static MemoryWorkspace rowBlock() {
        return NativeMemory.scope("contrastive-row-block");
    }

    /** Scope for one tile's score buffers. */
    static MemoryWorkspace tile() {
        return NativeMemory.scope("contrastive-tile");
    }

    /** A (n, 1) column of the given values, for row-wise broadcasts. */
    static INDArray column(double[] values, int n, DataType type) {
        return Nd4j.create(values.length == n ? values : java.util.Arrays.copyOf(values, n), new long[] {n, 1}, type);
    }
}

package dev.contrastive.models.nn;

import dev.contrastive.core.layers.NativeLayers;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The arrays one module instance's forward made (inputs, activations) and its backward reads,
 * dropped together by the next forward. Inside a {@code NativeMemory} scope, where training steps
 * run, the memory is the scope's and this is bookkeeping; outside one, dropping closes the arrays
 * so that a use after the step fails loudly. docs/memory.md explains who owns native memory.
 */
public final class Arena implements AutoCloseable {

    private final List<INDArray> owned = new ArrayList<>();

    /** Takes ownership of {@code a} (a fresh, non-view array) and returns it. */
    public INDArray own(INDArray a) {
        owned.add(a);
        return a;
    }

    /**
     * {@code a} itself when the native layer kernels can read it (a dense C-order block), otherwise a
     * C-order copy owned here: a gradient handed back as a strided view is copied once.
     */
    INDArray nativeReadable(INDArray a) {
        return NativeLayers.usable(a) ? a : own(a.dup('c'));
    }

    /** Number of arrays currently owned. */
    public int size() {
        return owned.size();
    }

    /**
     * Frees every owned array. Arrays handed out before are invalid afterwards; views (which ND4J
     * does not let one close) are skipped since their base is owned elsewhere.
     */
    public void clear() {
        for (INDArray a : owned) {
            if (a.closeable() && !a.wasClosed()) {
                a.close();
            }
        }
        owned.clear();
    }

    @Override
    public void close() {
        clear();
    }
}

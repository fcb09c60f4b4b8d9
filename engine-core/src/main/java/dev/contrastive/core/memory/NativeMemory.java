package dev.contrastive.core.memory;

import java.lang.reflect.Field;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.memory.pointers.PointersPair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where the engine's native scratch memory comes from: the one workspace configuration, the named
 * scopes opened with it, and the arrays handed out without initialisation. See {@code
 * docs/memory.md}.
 *
 * <p><b>Poisoning (debug).</b> With {@code -Dcontrastive.debug.poison=true} (or {@link
 * #setPoisoning}), every outermost entry into a scope fills the workspace's whole buffer with NaN
 * bytes, and {@link #uninitialized} fills what it returns with NaN. A read of memory that no one
 * wrote (a gemm with beta 0 into a buffer it does not fully cover, a reduction over padding, a
 * kernel that reads past the columns it was given) then turns into NaN on every machine, instead of
 * into whatever the previous step left there, which depends on the processor's kernels and
 * blocking. The workspace buffer exists from its second cycle on (the first cycle learns the size
 * and allocates outside it), so poisoned checks run several steps. Host memory only: on the CUDA
 * backend poisoning is a no-op.
 */
public final class NativeMemory {

    /** The system property that turns poisoning on from the start. */
    public static final String POISON_PROPERTY = "contrastive.debug.poison";

    /**
     * One configuration for every scope: starts empty, learns its size over the first cycle, then
     * over-allocates by 10% so that later cycles of slightly different shape (a last, smaller batch)
     * still fit; what does not fit spills to plain allocations instead of failing.
     */
    private static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .overallocationLimit(0.1)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    /** 0xFF in every byte is a NaN in float16, float32 and float64 alike. */
    private static final int POISON_BYTE = 0xFF;

    private static final Field BUFFER = bufferField();

    private static volatile boolean poisoning = Boolean.getBoolean(POISON_PROPERTY);

    private NativeMemory() {}

    /**
     * Opens (or reopens) the scope {@code id} on this thread. Every array created while it is the
     * current workspace lives in its buffer, which the next outermost open of the same id reuses:
     * close the scope before that, and copy out what must outlive it.
     */
    public static MemoryWorkspace scope(String id) {
        MemoryWorkspace ws = Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(CONFIG, id);
        boolean outermost = !ws.isScopeActive();
        ws.notifyScopeEntered();
        if (outermost && poisoning) {
            poison(ws);
        }
        return ws;
    }

    /** The scope the calling thread is in, or null outside every scope. */
    public static MemoryWorkspace current() {
        return Nd4j.getMemoryManager().getCurrentWorkspace();
    }

    /**
     * Where a call's results go when the call itself runs its scratch in an inner scope: into {@code
     * caller}, the scope the call was made in (returned by {@link #current()} on entry), or outside
     * every scope when the caller was in none. Used as a try-with-resources block around the results'
     * allocation.
     */
    public static MemoryWorkspace outputsTo(MemoryWorkspace caller) {
        return caller == null ? Nd4j.getWorkspaceManager().scopeOutOfWorkspaces() : caller.notifyScopeBorrowed();
    }

    /**
     * A new array whose contents are undefined (NaN while poisoning): the caller writes all of it.
     */
    public static INDArray uninitialized(DataType type, long... shape) {
        INDArray a = Nd4j.createUninitialized(type, shape);
        if (poisoning) {
            a.assign(Double.NaN);
        }
        return a;
    }

    /** Whether scopes and uninitialised arrays are being poisoned. */
    public static boolean poisoning() {
        return poisoning;
    }

    /**
     * Turns poisoning on or off for the whole process (scopes opened afterwards); for tests that run
     * the same steps both ways in one JVM.
     */
    public static void setPoisoning(boolean on) {
        poisoning = on;
    }

    private static void poison(MemoryWorkspace ws) {
        if (!(ws instanceof Nd4jWorkspace nd4j) || !Nd4j.getEnvironment().isCPU()) {
            return;
        }
        if (BUFFER == null) {
            throw new IllegalStateException("-D"
                    + POISON_PROPERTY
                    + " is on, but this ND4J version keeps no"
                    + " 'workspace' buffer field in Nd4jWorkspace to poison");
        }
        try {
            PointersPair pair = (PointersPair) BUFFER.get(nd4j);
            Pointer host = pair == null ? null : pair.getHostPointer();
            long bytes = nd4j.getCurrentSize();
            if (host != null && !host.isNull() && bytes > 0) {
                Pointer.memset(host, POISON_BYTE, bytes);
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot poison workspace " + ws.getId() + ": " + e.getMessage(), e);
        }
    }

    /**
     * ND4J keeps the workspace's buffer in a protected field; poisoning is a debug aid, so reflection
     * will do.
     */
    private static Field bufferField() {
        try {
            Field f = Nd4jWorkspace.class.getDeclaredField("workspace");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}

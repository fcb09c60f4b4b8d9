package dev.contrastive.core.parallel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Opens the collectives of a {@link ProcessGroupSpec}: NCCL, one process per GPU, on the nd4j-cuda
 * backend with engine-core's cuda jar. The CPU backend has none: no multi-process collective
 * library comes with the engine's dependencies, and one process runs several replicas as threads
 * instead ({@link InProcessGroup}).
 */
public final class ProcessGroups {

    /**
     * In engine-core's cuda jar (src/cuda/java, built by -Pcuda); looked up by name, as
     * DeviceDispatch does.
     */
    private static final String NCCL = "dev.contrastive.core.parallel.cuda.NcclCollectives";

    /** Collectives among processes, which hold a communicator until closed. */
    public interface Group extends Collectives, AutoCloseable {
        @Override
        void close();
    }

    private ProcessGroups() {}

    /**
     * Whether this process can join a process group: the nd4j-cuda backend is active, engine-core's
     * cuda jar is on the class path, and ND4J sees exactly one GPU (each process drives its own; with
     * several visible, ND4J would spread this process's threads over them).
     *
     * @return null if it can, else why not, in a sentence for the user
     */
    public static String unavailableReason() {
        if (!Nd4j.getBackend().getClass().getName().contains("JCublas")) {
            return "training across processes needs the CUDA backend (a -Pcuda build on a GPU node): the CPU backend"
                    + " has no collective library for several processes; on one machine, use in-process replicas"
                    + " (--replicas N) instead";
        }
        try {
            Class.forName(NCCL);
        } catch (ClassNotFoundException | LinkageError e) {
            return "training across processes needs engine-core's cuda jar (a -Pcuda build) for NCCL: " + e;
        }
        int devices = Nd4j.getAffinityManager().getNumberOfDevices();
        if (devices != 1) {
            return "each process of a distributed run drives one GPU, but this one sees "
                    + devices
                    + "; set"
                    + " CUDA_VISIBLE_DEVICES to the process's own GPU (LOCAL_RANK or SLURM_LOCALID), as"
                    + " scripts/slurm/train-multinode.sbatch does";
        }
        return null;
    }

    /**
     * Joins the job's process group: returns once every process has joined, on the GPU of the calling
     * thread. Close it when training ends.
     *
     * @throws IllegalStateException with {@link #unavailableReason()} if this process cannot join one
     * @throws CollectiveException if the others do not join within the spec's timeout
     */
    public static Group open(ProcessGroupSpec spec) {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalStateException(reason);
        }
        try {
            return (Group) Class.forName(NCCL)
                    .getMethod("open", ProcessGroupSpec.class)
                    .invoke(null, spec);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof IOException io) {
                throw new UncheckedIOException(
                        "cannot pass NCCL's id through " + spec.idFile() + ": " + io.getMessage(), io);
            }
            throw new IllegalStateException("cannot join the process group: " + cause, cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot open " + NCCL + ": " + e, e);
        }
    }
}

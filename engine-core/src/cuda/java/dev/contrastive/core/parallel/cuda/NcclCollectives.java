package dev.contrastive.core.parallel.cuda;

import static org.bytedeco.cuda.global.cudart.cudaErrorNotReady;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamQuery;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;
import static org.bytedeco.cuda.global.nccl.NCCL_UNIQUE_ID_BYTES;
import static org.bytedeco.cuda.global.nccl.ncclAllGather;
import static org.bytedeco.cuda.global.nccl.ncclAllReduce;
import static org.bytedeco.cuda.global.nccl.ncclBroadcast;
import static org.bytedeco.cuda.global.nccl.ncclCommAbort;
import static org.bytedeco.cuda.global.nccl.ncclCommDestroy;
import static org.bytedeco.cuda.global.nccl.ncclCommGetAsyncError;
import static org.bytedeco.cuda.global.nccl.ncclCommInitRank;
import static org.bytedeco.cuda.global.nccl.ncclGetErrorString;
import static org.bytedeco.cuda.global.nccl.ncclGetUniqueId;
import static org.bytedeco.cuda.global.nccl.ncclReduceScatter;
import static org.bytedeco.cuda.global.nccl.ncclSuccess;
import static org.bytedeco.cuda.global.nccl.ncclSum;

import dev.contrastive.core.parallel.CollectiveException;
import dev.contrastive.core.parallel.IdFile;
import dev.contrastive.core.parallel.ProcessGroupSpec;
import dev.contrastive.core.parallel.ProcessGroups;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.nccl;
import org.bytedeco.cuda.nccl.ncclComm;
import org.bytedeco.cuda.nccl.ncclUniqueId;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.jita.allocator.impl.AtomicAllocator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.jcublas.context.CudaContext;

/**
 * The collectives of one process among {@link #size()}, one GPU each, through an NCCL communicator:
 * every operation is enqueued on ND4J's CUDA stream of the calling thread (bracketed like ND4J's
 * own ops, so its host/device tracking stays right) and waited for before it returns, as {@link
 * dev.contrastive.core.parallel.InProcessGroup}'s are.
 *
 * <p>Failures differ from the in-process group in one way: a process cannot tell the others which
 * rank failed. {@link #abort} aborts this process's communicator; the others' pending operation
 * then fails when NCCL reports the broken connection ({@code ncclCommGetAsyncError}), or at the
 * latest after the timeout, with a {@link CollectiveException} that says another process is gone or
 * stuck (replica -1). A timed-out or failed operation aborts the communicator, so this instance is
 * unusable afterwards, as a job whose process died is.
 */
public final class NcclCollectives implements ProcessGroups.Group {

    private final ncclComm comm;
    private final int rank;
    private final int size;
    private final int device;
    private final Duration timeout;
    private volatile String broken;

    private NcclCollectives(ncclComm comm, ProcessGroupSpec spec, int device) {
        this.comm = comm;
        this.rank = spec.rank();
        this.size = spec.worldSize();
        this.device = device;
        this.timeout = spec.timeout();
    }

    /**
     * Joins the communicator of {@code spec}'s job on the GPU that ND4J gave the calling thread: rank
     * 0 makes the unique id and publishes it in the id file, the others wait for it (or every rank
     * derives it from {@code NCCL_COMM_ID}); returns once every rank has joined. Rank 0 then deletes
     * the id file. Called by {@link ProcessGroups#open} by name, so a CPU class path never loads this
     * class.
     *
     * @throws CollectiveException if the id file does not appear, or the others do not join, within
     *     the spec's timeout
     */
    public static NcclCollectives open(ProcessGroupSpec spec) throws IOException {
        int device = Nd4j.getAffinityManager().getDeviceForCurrentThread();
        cuda(cudaSetDevice(device), "cudaSetDevice " + device);
        ncclUniqueId id = new ncclUniqueId();
        if (spec.ncclCommId() != null) {
            // NCCL reads the variable itself, in ncclGetUniqueId of every rank and in rank 0's
            // ncclCommInitRank.
            String env = System.getenv(ProcessGroupSpec.NCCL_COMM_ID);
            if (!spec.ncclCommId().equals(env)) {
                throw new IllegalArgumentException("the process group names "
                        + ProcessGroupSpec.NCCL_COMM_ID
                        + "="
                        + spec.ncclCommId()
                        + " but this process's environment has "
                        + env
                        + ": NCCL reads the variable"
                        + " from the environment, so set it there");
            }
            check(ncclGetUniqueId(id), "ncclGetUniqueId from " + ProcessGroupSpec.NCCL_COMM_ID + "=" + env);
        } else if (spec.rank() == 0) {
            check(ncclGetUniqueId(id), "ncclGetUniqueId");
            byte[] bytes = new byte[NCCL_UNIQUE_ID_BYTES];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = id.internal(i);
            }
            IdFile.publish(spec.idFile(), bytes);
        } else {
            byte[] bytes = IdFile.await(spec.idFile(), NCCL_UNIQUE_ID_BYTES, spec.timeout());
            for (int i = 0; i < bytes.length; i++) {
                id.internal(i, bytes[i]);
            }
        }
        ncclComm comm = join(spec, id, device);
        if (spec.idFile() != null && spec.rank() == 0) {
            IdFile.remove(spec.idFile());
        }
        return new NcclCollectives(comm, spec, device);
    }

    /**
     * ncclCommInitRank, which blocks until every rank has joined and has no timeout of its own in
     * NCCL 2.11: it runs on a daemon thread of its own so that a rank that never comes fails this one
     * after the timeout instead of hanging it (the stuck thread does not keep the JVM alive).
     */
    private static ncclComm join(ProcessGroupSpec spec, ncclUniqueId id, int device) {
        CompletableFuture<ncclComm> joined = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        cuda(cudaSetDevice(device), "cudaSetDevice " + device);
                        ncclComm comm = new ncclComm();
                        check(
                                ncclCommInitRank(comm, spec.worldSize(), id, spec.rank()),
                                "ncclCommInitRank (rank " + spec.rank() + " of " + spec.worldSize() + ")");
                        joined.complete(comm);
                    } catch (RuntimeException | Error e) {
                        joined.completeExceptionally(e);
                    }
                },
                "contrastive-nccl-init");
        t.setDaemon(true);
        t.start();
        try {
            return joined.get(spec.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new CollectiveException(
                    "rank "
                            + spec.rank()
                            + " of "
                            + spec.worldSize()
                            + ": not every process"
                            + " joined the NCCL communicator within "
                            + spec.timeout()
                            + " (a process did not start, or"
                            + " cannot reach rank 0's node)",
                    -1,
                    e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("interrupted while joining the NCCL communicator", -1, e);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public INDArray allGather(INDArray local) {
        requireBatch("allGather", local);
        return intoNew(
                "allGather",
                local,
                local.size(0) * size,
                (send, gathered) -> (s, r, stream) -> ncclAllGather(s, r, send.length(), type(send), comm, stream));
    }

    @Override
    public INDArray reduceScatter(INDArray full) {
        requireBatch("reduceScatter", full);
        long rows = full.size(0);
        if (rows % size != 0) {
            throw new IllegalArgumentException("reduceScatter needs a multiple of " + size + " rows, got " + rows);
        }
        return intoNew(
                "reduceScatter",
                full,
                rows / size,
                (send, own) ->
                        (s, r, stream) -> ncclReduceScatter(s, r, own.length(), type(send), ncclSum, comm, stream));
    }

    @Override
    public void allReduceSum(INDArray buffer) {
        inPlace(
                "allReduce",
                buffer,
                work -> (s, r, stream) -> ncclAllReduce(r, r, work.length(), type(work), ncclSum, comm, stream));
    }

    @Override
    public double[] allReduceSum(double[] values) {
        INDArray work = Nd4j.createFromArray(values.clone());
        allReduceSum(work);
        return work.toDoubleVector();
    }

    @Override
    public void broadcast(INDArray buffer, int root) {
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("broadcast root must be in [0, " + size + "), got " + root);
        }
        inPlace(
                "broadcast",
                buffer,
                work -> (s, r, stream) -> ncclBroadcast(r, r, work.length(), type(work), root, comm, stream));
    }

    /**
     * NCCL has no barrier: an all-reduce of one value, which no process finishes before all started
     * it.
     */
    @Override
    public void barrier() {
        allReduceSum(new double[1]);
    }

    @Override
    public void abort(Throwable cause) {
        abortComm("aborted by this process: " + cause);
    }

    /** Releases the communicator: destroyed when healthy, already aborted otherwise. */
    @Override
    public void close() {
        if (broken == null) {
            broken = "closed";
            check(ncclCommDestroy(comm), "ncclCommDestroy");
        }
    }

    /** One NCCL call, given the send and receive buffers' device pointers and the stream. */
    @FunctionalInterface
    private interface Enqueue {
        int call(Pointer send, Pointer receive, CUstream_st stream);
    }

    /**
     * Runs {@code op} from a dense copy of {@code input} (or input itself) into a new C-order array of
     * input's type and shape but {@code rows} rows, which it returns.
     */
    private INDArray intoNew(String op, INDArray input, long rows, BiFunction<INDArray, INDArray, Enqueue> enqueueOf) {
        long[] shape = input.shape().clone();
        shape[0] = rows;
        INDArray output = Nd4j.create(input.dataType(), shape, 'c');
        INDArray send = dense(input);
        run(op, output, send, enqueueOf.apply(send, output));
        return output;
    }

    /**
     * Runs {@code op} in place on a dense working array: {@code buffer} itself, or a copy whose
     * result is then copied back.
     */
    private void inPlace(String op, INDArray buffer, Function<INDArray, Enqueue> enqueueOf) {
        INDArray work = dense(buffer);
        run(op, work, null, enqueueOf.apply(work));
        if (work != buffer) {
            buffer.assign(work);
        }
    }

    /**
     * Enqueues the call on ND4J's stream between prepareAction and registerAction ({@code output}
     * written on the device, {@code input} read), waits for it, and fails on the timeout or an error
     * NCCL reports.
     */
    private void run(String op, INDArray output, INDArray input, Enqueue enqueue) {
        if (broken != null) {
            throw new CollectiveException(where(op) + " on a communicator that is " + broken, -1, null);
        }
        int current = Nd4j.getAffinityManager().getDeviceForCurrentThread();
        if (current != device) {
            throw new IllegalStateException("rank "
                    + rank
                    + ": "
                    + op
                    + " from a thread on GPU "
                    + current
                    + ", but the communicator is on GPU "
                    + device
                    + "; give each process one GPU (CUDA_VISIBLE_DEVICES)");
        }
        AtomicAllocator allocator = AtomicAllocator.getInstance();
        INDArray[] operands = input == null ? new INDArray[0] : new INDArray[] {input};
        CudaContext context = allocator.getFlowController().prepareAction(output, operands);
        CUstream_st stream = new CUstream_st(context.getOldStream());
        Pointer receive = pointer(allocator, context, output);
        Pointer send = input == null ? receive : pointer(allocator, context, input);
        cuda(cudaSetDevice(device), "cudaSetDevice " + device);
        check(enqueue.call(send, receive, stream), op);
        await(op, stream);
        allocator.getFlowController().registerAction(context, output, operands);
    }

    /**
     * Polls the stream rather than blocking in cudaStreamSynchronize, which would wait forever for a
     * process that is gone: NCCL's asynchronous error (a peer's connection closed) or the timeout
     * aborts the communicator, which ends the pending kernel.
     */
    private void await(String op, CUstream_st stream) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int[] async = new int[1];
        while (true) {
            int status = cudaStreamQuery(stream);
            if (status == cudaSuccess) {
                return;
            }
            if (status != cudaErrorNotReady) {
                abortComm(op + " failed");
                throw new IllegalStateException(
                        "rank " + rank + ": " + op + " failed on the GPU: " + cudaError(status));
            }
            check(ncclCommGetAsyncError(comm, async), "ncclCommGetAsyncError");
            if (async[0] != ncclSuccess) {
                abortComm(op + " failed");
                throw new CollectiveException(
                        where(op) + " failed: " + ncclError(async[0])
                                + ": another process is gone or the network failed",
                        -1,
                        null);
            }
            if (System.nanoTime() >= deadline) {
                abortComm(op + " timed out");
                throw new CollectiveException(
                        where(op) + " timed out after " + timeout
                                + " waiting for the other processes (a process is gone or stuck)",
                        -1,
                        null);
            }
            LockSupport.parkNanos(20_000);
        }
    }

    /** This process's place and the operation, the start of a collective's failure message. */
    private String where(String op) {
        return "rank " + rank + " of " + size + ": " + op;
    }

    private void abortComm(String why) {
        if (broken == null) {
            broken = "aborted (" + why + ")";
            ncclCommAbort(comm);
        }
    }

    /** Device address of a dense array's buffer, placed on the device first as ND4J's ops do. */
    private static Pointer pointer(AtomicAllocator allocator, CudaContext context, INDArray x) {
        Nd4j.getAffinityManager().ensureLocation(x, AffinityManager.Location.DEVICE);
        return allocator.getPointer(x, context);
    }

    /**
     * NCCL reads a buffer from its start: the array itself when it is one dense buffer, else a copy.
     */
    private static INDArray dense(INDArray x) {
        if (!x.isView() && x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x)) {
            return x;
        }
        return x.dup('c');
    }

    private static void requireBatch(String op, INDArray x) {
        if (x.rank() < 1) {
            throw new IllegalArgumentException(
                    op + " needs an array with a batch dimension, got shape " + Arrays.toString(x.shape()));
        }
    }

    private static int type(INDArray x) {
        DataType t = x.dataType();
        return switch (t) {
            case FLOAT -> nccl.ncclFloat32;
            case DOUBLE -> nccl.ncclFloat64;
            case HALF -> nccl.ncclFloat16;
            case BFLOAT16 -> nccl.ncclBfloat16;
            case INT -> nccl.ncclInt32;
            case LONG -> nccl.ncclInt64;
            case BYTE -> nccl.ncclInt8;
            case UBYTE -> nccl.ncclUint8;
            case UINT32 -> nccl.ncclUint32;
            case UINT64 -> nccl.ncclUint64;
            default -> throw new IllegalArgumentException("NCCL has no type for " + t + " arrays");
        };
    }

    private static void check(int result, String what) {
        if (result != ncclSuccess) {
            throw new IllegalStateException(what + " failed: " + ncclError(result));
        }
    }

    private static void cuda(int result, String what) {
        if (result != cudaSuccess) {
            throw new IllegalStateException(what + " failed: " + cudaError(result));
        }
    }

    private static String ncclError(int result) {
        return "NCCL error " + result + " (" + ncclGetErrorString(result).getString() + ")";
    }

    private static String cudaError(int result) {
        return "CUDA error " + result + " (" + cudaGetErrorString(result).getString() + ")";
    }
}

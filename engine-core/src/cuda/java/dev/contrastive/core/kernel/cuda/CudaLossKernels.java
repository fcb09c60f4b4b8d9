package dev.contrastive.core.kernel.cuda;

import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuMemsetD32Async;
import static org.bytedeco.cuda.global.cudart.cuStreamSynchronize;

import dev.contrastive.core.kernel.DeviceKernels;
import dev.contrastive.core.kernel.MultiPositiveNceKernel;
import dev.contrastive.core.kernel.ScoreStats;
import dev.contrastive.core.kernel.SoftmaxCrossEntropyKernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.jita.allocator.impl.AtomicAllocator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.jcublas.context.CudaContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fused CUDA loss kernels (src/main/cuda/contrastive_kernels.cu, built into a fatbin by Maven's
 * {@code -Pcuda} build) run on ND4J's device buffers and ND4J's stream, through the CUDA driver
 * API.
 *
 * <p>Inputs are made dense first (a strided view is copied); each problem is one short launch
 * sequence (forward, finish, two backward strips) on the stream of ND4J's context for this thread,
 * so it is ordered after the ops that produced the inputs and before those that read the gradients.
 * Only per-row statistics (O(rows) floats) come back to the host, to form {@link ScoreStats} in
 * double.
 */
public final class CudaLossKernels implements DeviceKernels {

    private static final Logger LOG = LoggerFactory.getLogger(CudaLossKernels.class);

    // Launch contract, mirrored from contrastive_kernels.cuh.
    static final int TILE = 64;
    static final int THREADS = 256;
    static final int CE_PARTIAL_FIELDS = 4;
    static final int CE_STAT_FIELDS = 5;
    static final int AMDIM_PARTIAL_FIELDS = 5;
    static final int AMDIM_STAT_FIELDS = 7;

    /**
     * Blocks per multiprocessor the split count aims at, so a short strip side still fills the GPU.
     */
    private static final int BLOCKS_PER_MULTIPROCESSOR = 4;

    private volatile boolean failed;

    /** For {@code DeviceDispatch}, by reflection; nothing touches the GPU until the first call. */
    public CudaLossKernels() {}

    @Override
    public boolean accepts(INDArray like) {
        if (failed || like.dataType() != DataType.FLOAT) {
            return false;
        }
        try {
            CudaModule.forCurrentDevice();
            return true;
        } catch (RuntimeException | LinkageError e) {
            failed = true;
            LOG.warn("CUDA loss kernels unavailable, using the ND4J path: {}", e.toString());
            return false;
        }
    }

    @Override
    public ScoreStats softmaxCrossEntropy(SoftmaxCrossEntropyKernel.Problem p) {
        Sides sides = new Sides(p.q(), p.k(), p.dq(), p.dk());
        int n = sides.rows;
        int m = sides.columns;
        int[] excluded = p.excluded();
        INDArray labelArray = Nd4j.createFromArray(p.labels());
        INDArray excludedArray = excluded == null ? null : Nd4j.createFromArray(excluded);
        INDArray weightArray = Nd4j.createFromArray(toFloats(p.weights()));
        INDArray partial = sides.partial(CE_PARTIAL_FIELDS);
        INDArray stats = Nd4j.createUninitialized(DataType.FLOAT, (long) CE_STAT_FIELDS * n);

        Launch launch = sides.launch(labelArray, excludedArray, weightArray, partial, stats);
        // The leading arguments of the forward and both backward kernels.
        Object[] problem = {sides.own, sides.other, n, m, sides.d, (float) p.scale(), labelArray, excludedArray};
        launch.run("ce_forward", tiles(n), sides.splitsForward, Sides.append(problem, partial, stats));
        launch.run("ce_finish", blocks(n), 1, n, sides.splitsForward, partial, stats);
        sides.backward(launch, stats, "ce_backward_dq", "ce_backward_dk", Sides.append(problem, weightArray, stats));

        float[] st = stats.toFloatVector();
        return SoftmaxCrossEntropyKernel.rowStats(
                p.weights(), excluded, m, 0, n, i -> st[i], i -> st[n + i], i -> st[2 * n + i], i -> st[3 * n + i]);
    }

    @Override
    public ScoreStats multiPositiveNce(MultiPositiveNceKernel.Problem p) {
        // n source rows (images firstImage ...) against all b target images
        Sides sides = new Sides(p.src(), p.trg(), p.dsrc(), p.dtrg());
        int n = sides.rows;
        int locations = p.locations();
        int b = sides.columns / locations;
        INDArray partial = sides.partial(AMDIM_PARTIAL_FIELDS);
        INDArray positives = Nd4j.createUninitialized(DataType.FLOAT, (long) n * locations);
        INDArray positiveGradient = Nd4j.createUninitialized(DataType.FLOAT, (long) n * locations);
        INDArray stats = Nd4j.createUninitialized(DataType.FLOAT, (long) AMDIM_STAT_FIELDS * n);

        Launch launch = sides.launch(partial, positives, positiveGradient, stats);
        // The leading arguments of the forward and both backward kernels.
        Object[] problem = {
            sides.own, sides.other, n, p.firstImage(), b, locations, sides.d, (float) p.scale(), (float) p.tclip()
        };
        launch.run("amdim_forward", tiles(n), sides.splitsForward, Sides.append(problem, partial, positives));
        launch.run(
                "amdim_finish",
                blocks(n),
                1,
                n,
                locations,
                sides.splitsForward,
                (float) p.nceWeight(),
                partial,
                positives,
                stats,
                positiveGradient);
        sides.backward(
                launch,
                stats,
                "amdim_backward_dsrc",
                "amdim_backward_dtrg",
                Sides.append(problem, (float) (2.0 * p.regWeight()), stats, positiveGradient));

        // amdim_finish's per-row fields 2..6: loss, positive sum, negative sum, correct, squares.
        float[] st = stats.toFloatVector();
        long correct = 0;
        for (int i = 0; i < n; i++) {
            correct += Math.round(st[5 * n + i]);
        }
        return new ScoreStats(
                p.nceWeight() * fieldSum(st, 2, n),
                fieldSum(st, 3, n),
                (long) n * locations,
                fieldSum(st, 4, n),
                (long) n * (b - 1) * locations,
                correct,
                fieldSum(st, 6, n));
    }

    /** The sum over rows of one per-row field of a stats array (field f of row i at f * rows + i). */
    private static double fieldSum(float[] stats, int field, int rows) {
        double sum = 0;
        for (int i = 0; i < rows; i++) {
            sum += stats[field * rows + i];
        }
        return sum;
    }

    /**
     * What both losses launch over: the own rows (of S) and the other side's, their gradients (the
     * own one overwritten, the other added to), as dense working copies, and the split counts of the
     * forward (own rows) and the other side's backward pass.
     */
    private static final class Sides {
        final CudaModule module = CudaModule.forCurrentDevice();
        final INDArray own;
        final INDArray other;
        final INDArray dOwn;
        final INDArray dOther;
        final INDArray dOwnTarget;
        final INDArray dOtherTarget;
        final int rows;
        final int columns;
        final int d;
        final int splitsForward;
        final int splitsBackward;

        Sides(INDArray own, INDArray other, INDArray dOwn, INDArray dOther) {
            this.rows = Math.toIntExact(own.rows());
            this.columns = Math.toIntExact(other.rows());
            this.d = Math.toIntExact(own.columns());
            this.splitsForward = splits(rows, columns, module.multiprocessors());
            this.splitsBackward = splits(columns, rows, module.multiprocessors());
            this.own = dense(own);
            this.other = dense(other);
            this.dOwn = dense(dOwn);
            this.dOther = dense(dOther);
            this.dOwnTarget = dOwn;
            this.dOtherTarget = dOther;
        }

        /** The forward pass's per-split partials, {@code fields x splitsForward x rows}. */
        INDArray partial(int fields) {
            return Nd4j.createUninitialized(DataType.FLOAT, (long) fields * splitsForward * rows);
        }

        /** A launch sequence writing dOwn and reading (or also writing) the sides and {@code more}. */
        Launch launch(INDArray... more) {
            INDArray[] operands = new INDArray[3 + more.length];
            operands[0] = own;
            operands[1] = other;
            operands[2] = dOther;
            System.arraycopy(more, 0, operands, 3, more.length);
            return new Launch(module, dOwn, operands);
        }

        /**
         * The two backward kernels, given the same arguments plus their output: dOwn cleared and
         * written per own row, dOther added to per other row; then waits, marks stats as written and
         * copies the gradients back into the caller's arrays.
         */
        void backward(Launch launch, INDArray stats, String ownKernel, String otherKernel, Object... args) {
            launch.clear(launch.pointer(dOwn), (long) rows * d);
            launch.run(ownKernel, tiles(rows), splitsForward, append(args, dOwn));
            launch.run(otherKernel, tiles(columns), splitsBackward, append(args, dOther));
            launch.finish(dOther, stats);
            copyBack(dOwn, dOwnTarget);
            copyBack(dOther, dOtherTarget);
        }

        /** {@code args} followed by {@code more}, as one kernel's argument list. */
        static Object[] append(Object[] args, Object... more) {
            Object[] all = Arrays.copyOf(args, args.length + more.length);
            System.arraycopy(more, 0, all, args.length, more.length);
            return all;
        }
    }

    /**
     * Splits of the other side's tiles: about BLOCKS_PER_MULTIPROCESSOR blocks per multiprocessor.
     */
    static int splits(int rows, int other, int multiprocessors) {
        int tiles = tiles(other);
        int want = ceilDiv(BLOCKS_PER_MULTIPROCESSOR * multiprocessors, tiles(rows));
        return Math.max(1, Math.min(tiles, want));
    }

    private static int tiles(int rows) {
        return ceilDiv(rows, TILE);
    }

    private static int blocks(int rows) {
        return ceilDiv(rows, THREADS);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static float[] toFloats(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    /** The array itself when it is a dense C-order buffer of its own, else a dense copy. */
    private static INDArray dense(INDArray x) {
        if (!x.isView() && x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x)) {
            return x;
        }
        return x.dup('c');
    }

    /** Writes a dense working copy back into the caller's (strided) array. */
    private static void copyBack(INDArray working, INDArray target) {
        if (working != target) {
            target.assign(working);
        }
    }

    /**
     * One launch sequence on ND4J's stream, bracketed like ND4J's own ops: prepareAction before (the
     * first array is the one written), registerAction after, so ND4J's host/device tracking and locks
     * stay right. Device pointers point at the buffer's start, hence {@link #dense} arrays only.
     */
    private static final class Launch {
        private final CudaModule module;
        private final AtomicAllocator allocator = AtomicAllocator.getInstance();
        private final CudaContext context;
        private final CUstream_st stream;
        private final INDArray output;
        private final INDArray[] operands;

        /** Device addresses already looked up, one lookup per array and launch sequence. */
        private final Map<INDArray, Long> addresses = new IdentityHashMap<>();

        Launch(CudaModule module, INDArray output, INDArray... operands) {
            this.module = module;
            this.output = output;
            List<INDArray> present = new ArrayList<>();
            for (INDArray x : operands) {
                if (x != null) {
                    present.add(x);
                }
            }
            this.operands = present.toArray(new INDArray[0]);
            this.context = allocator.getFlowController().prepareAction(output, this.operands);
            this.stream = new CUstream_st(context.getOldStream());
            module.makeCurrent();
        }

        /**
         * Device address of the array (0, a null pointer, for null). In ND4J 1.0.0-M2.1 getPointer does
         * not move host data to the device (it returns null or throws), so the array is placed there
         * first.
         */
        long pointer(INDArray x) {
            if (x == null) {
                return 0L;
            }
            return addresses.computeIfAbsent(x, a -> {
                Nd4j.getAffinityManager().ensureLocation(a, AffinityManager.Location.DEVICE);
                return allocator.getPointer(a, context).address();
            });
        }

        void clear(long address, long floats) {
            CudaModule.check(cuMemsetD32Async(address, 0, floats, stream), "cuMemsetD32Async");
        }

        /**
         * Launches a kernel with blockDim (THREADS, 1, 1). Arguments, in the kernel's parameter order:
         * INDArray (or null) = its device pointer ({@link #pointer}), Long = device pointer, Integer =
         * int, Float = float.
         */
        void run(String kernel, int gridX, int gridY, Object... args) {
            // cuLaunchKernel copies the argument values, so they are freed as soon as it returns.
            Pointer[] values = new Pointer[args.length];
            try (PointerPointer<Pointer> params = new PointerPointer<>(args.length)) {
                for (int i = 0; i < args.length; i++) {
                    Object a = args[i];
                    if (a == null || a instanceof INDArray) {
                        values[i] = new LongPointer(1).put(pointer((INDArray) a));
                    } else if (a instanceof Long v) {
                        values[i] = new LongPointer(1).put(v);
                    } else if (a instanceof Integer v) {
                        values[i] = new IntPointer(1).put(v);
                    } else if (a instanceof Float v) {
                        values[i] = new FloatPointer(1).put(v);
                    } else {
                        throw new IllegalArgumentException(kernel + " argument " + i + " has type " + a);
                    }
                    params.put(i, values[i]);
                }
                CudaModule.check(
                        cuLaunchKernel(
                                module.function(kernel),
                                gridX,
                                gridY,
                                1,
                                THREADS,
                                1,
                                1,
                                0,
                                stream,
                                params,
                                (PointerPointer<?>) null),
                        "cuLaunchKernel " + kernel);
            } finally {
                for (Pointer p : values) {
                    if (p != null) {
                        p.close();
                    }
                }
            }
        }

        /**
         * Waits for the stream (the row statistics are read next, and an error inside a kernel surfaces
         * here), then closes the action opened in the constructor (the output marked as written on the
         * device, the operands as read) and marks the operands the kernels also wrote as newer on the
         * device than on the host.
         */
        void finish(INDArray... alsoWritten) {
            CudaModule.check(cuStreamSynchronize(stream), "the loss kernels on ND4J's stream");
            allocator.getFlowController().registerAction(context, output, operands);
            for (INDArray x : alsoWritten) {
                allocator.tickDeviceWrite(x);
            }
        }
    }
}

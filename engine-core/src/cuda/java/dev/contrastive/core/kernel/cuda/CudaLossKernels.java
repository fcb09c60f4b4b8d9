package dev.contrastive.core.kernel.cuda;

import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuMemsetD32Async;
import static org.bytedeco.cuda.global.cudart.cuStreamSynchronize;

import dev.contrastive.core.kernel.DeviceKernels;
import dev.contrastive.core.kernel.ScoreStats;
import java.util.ArrayList;
import java.util.List;
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
 * {@code -Pcuda} build) run on ND4J's device buffers and ND4J's stream, through the CUDA driver API.
 *
 * <p>Inputs are made dense first (a strided view is copied); each problem is one short launch
 * sequence (forward, finish, two backward strips) on the stream of ND4J's context for this thread, so
 * it is ordered after the ops that produced the inputs and before those that read the gradients. Only
 * per-row statistics (O(rows) floats) come back to the host, to form {@link ScoreStats} in double.
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
  /** Blocks per multiprocessor the split count aims at, so a short strip side still fills the GPU. */
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
  public ScoreStats softmaxCrossEntropy(
      INDArray q,
      INDArray k,
      double scale,
      int[] labels,
      int[] excluded,
      double[] weights,
      INDArray dq,
      INDArray dk) {
    int n = Math.toIntExact(q.rows());
    int m = Math.toIntExact(k.rows());
    int d = Math.toIntExact(q.columns());
    CudaModule module = CudaModule.forCurrentDevice();
    int splitsForward = splits(n, m, module.multiprocessors());
    int splitsBackward = splits(m, n, module.multiprocessors());
    INDArray qd = dense(q);
    INDArray kd = dense(k);
    INDArray dqd = dense(dq);
    INDArray dkd = dense(dk);
    INDArray labelArray = Nd4j.createFromArray(labels);
    INDArray excludedArray = excluded == null ? null : Nd4j.createFromArray(excluded);
    INDArray weightArray = Nd4j.createFromArray(toFloats(weights));
    INDArray partial =
        Nd4j.createUninitialized(DataType.FLOAT, (long) CE_PARTIAL_FIELDS * splitsForward * n);
    INDArray stats = Nd4j.createUninitialized(DataType.FLOAT, (long) CE_STAT_FIELDS * n);

    Launch launch = new Launch(module, dqd, qd, kd, dkd, labelArray, excludedArray, weightArray,
        partial, stats);
    long pq = launch.pointer(qd);
    long pk = launch.pointer(kd);
    long pLabels = launch.pointer(labelArray);
    long pExcluded = launch.pointer(excludedArray);
    long pWeights = launch.pointer(weightArray);
    long pPartial = launch.pointer(partial);
    long pStats = launch.pointer(stats);
    long pdq = launch.pointer(dqd);
    float s = (float) scale;
    launch.run("ce_forward", tiles(n), splitsForward,
        pq, pk, n, m, d, s, pLabels, pExcluded, pPartial, pStats);
    launch.run("ce_finish", blocks(n), 1, n, splitsForward, pPartial, pStats);
    launch.clear(pdq, (long) n * d);
    launch.run("ce_backward_dq", tiles(n), splitsForward,
        pq, pk, n, m, d, s, pLabels, pExcluded, pWeights, pStats, pdq);
    launch.run("ce_backward_dk", tiles(m), splitsBackward,
        pq, pk, n, m, d, s, pLabels, pExcluded, pWeights, pStats, launch.pointer(dkd));
    launch.finish(dkd, stats);
    copyBack(dqd, dq);
    copyBack(dkd, dk);

    float[] st = stats.toFloatVector();
    double loss = 0;
    double positiveSum = 0;
    double negativeSum = 0;
    long negatives = 0;
    long correct = 0;
    for (int i = 0; i < n; i++) {
      double lse = st[i];
      double positive = st[n + i];
      loss += weights[i] * (lse - positive);
      positiveSum += positive;
      negativeSum += st[2 * n + i];
      negatives += m - 1 - (excluded != null && excluded[i] >= 0 ? 1 : 0);
      if (positive > st[3 * n + i]) {
        correct++;
      }
    }
    return new ScoreStats(loss, positiveSum, n, negativeSum, negatives, correct, 0);
  }

  @Override
  public ScoreStats multiPositiveNce(
      INDArray src,
      INDArray trg,
      int locations,
      int firstImage,
      double scale,
      double tclip,
      double nceWeight,
      double regWeight,
      INDArray dsrc,
      INDArray dtrg) {
    // n source rows (images firstImage ...) against all b target images
    int n = Math.toIntExact(src.rows());
    int cols = Math.toIntExact(trg.rows());
    int b = cols / locations;
    int d = Math.toIntExact(src.columns());
    CudaModule module = CudaModule.forCurrentDevice();
    int splitsForward = splits(n, cols, module.multiprocessors());
    int splitsBackward = splits(cols, n, module.multiprocessors());
    INDArray sd = dense(src);
    INDArray td = dense(trg);
    INDArray dsd = dense(dsrc);
    INDArray dtd = dense(dtrg);
    INDArray partial =
        Nd4j.createUninitialized(DataType.FLOAT, (long) AMDIM_PARTIAL_FIELDS * splitsForward * n);
    INDArray positives = Nd4j.createUninitialized(DataType.FLOAT, (long) n * locations);
    INDArray positiveGradient = Nd4j.createUninitialized(DataType.FLOAT, (long) n * locations);
    INDArray stats = Nd4j.createUninitialized(DataType.FLOAT, (long) AMDIM_STAT_FIELDS * n);

    Launch launch =
        new Launch(module, dsd, sd, td, dtd, partial, positives, positiveGradient, stats);
    long ps = launch.pointer(sd);
    long pt = launch.pointer(td);
    long pPartial = launch.pointer(partial);
    long pPositives = launch.pointer(positives);
    long pGradient = launch.pointer(positiveGradient);
    long pStats = launch.pointer(stats);
    long pdsrc = launch.pointer(dsd);
    float s = (float) scale;
    float clip = (float) tclip;
    float twoReg = (float) (2.0 * regWeight);
    launch.run("amdim_forward", tiles(n), splitsForward,
        ps, pt, n, firstImage, b, locations, d, s, clip, pPartial, pPositives);
    launch.run("amdim_finish", blocks(n), 1,
        n, locations, splitsForward, (float) nceWeight, pPartial, pPositives, pStats, pGradient);
    launch.clear(pdsrc, (long) n * d);
    launch.run("amdim_backward_dsrc", tiles(n), splitsForward,
        ps, pt, n, firstImage, b, locations, d, s, clip, twoReg, pStats, pGradient, pdsrc);
    launch.run("amdim_backward_dtrg", tiles(cols), splitsBackward,
        ps, pt, n, firstImage, b, locations, d, s, clip, twoReg, pStats, pGradient,
        launch.pointer(dtd));
    launch.finish(dtd, stats);
    copyBack(dsd, dsrc);
    copyBack(dtd, dtrg);

    float[] st = stats.toFloatVector();
    double lossSum = 0;
    double positiveSum = 0;
    double negativeSum = 0;
    long correct = 0;
    double squares = 0;
    for (int i = 0; i < n; i++) {
      lossSum += st[2 * n + i];
      positiveSum += st[3 * n + i];
      negativeSum += st[4 * n + i];
      correct += Math.round(st[5 * n + i]);
      squares += st[6 * n + i];
    }
    long positiveCount = (long) n * locations;
    long negatives = (long) n * (b - 1) * locations;
    return new ScoreStats(
        nceWeight * lossSum, positiveSum, positiveCount, negativeSum, negatives, correct, squares);
  }

  /** Splits of the other side's tiles: about BLOCKS_PER_MULTIPROCESSOR blocks per multiprocessor. */
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
     * not move host data to the device (it returns null or throws), so the array is placed there first.
     */
    long pointer(INDArray x) {
      if (x == null) {
        return 0L;
      }
      Nd4j.getAffinityManager().ensureLocation(x, AffinityManager.Location.DEVICE);
      return allocator.getPointer(x, context).address();
    }

    void clear(long address, long floats) {
      CudaModule.check(cuMemsetD32Async(address, 0, floats, stream), "cuMemsetD32Async");
    }

    /**
     * Launches a kernel with blockDim (THREADS, 1, 1). Arguments: Long = device pointer, Integer =
     * int, Float = float, in the kernel's parameter order.
     */
    void run(String kernel, int gridX, int gridY, Object... args) {
      // cuLaunchKernel copies the argument values, so they are freed as soon as it returns.
      Pointer[] values = new Pointer[args.length];
      try (PointerPointer<Pointer> params = new PointerPointer<>(args.length)) {
        for (int i = 0; i < args.length; i++) {
          Object a = args[i];
          if (a instanceof Long v) {
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
                module.function(kernel), gridX, gridY, 1, THREADS, 1, 1, 0, stream, params,
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

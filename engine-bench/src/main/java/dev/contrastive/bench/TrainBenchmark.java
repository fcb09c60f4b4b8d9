package dev.contrastive.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.contrastive.bench.torch.TorchRuntime;
import dev.contrastive.bench.torch.TorchTrainSteps;
import dev.contrastive.bench.train.ConvOps;
import dev.contrastive.bench.train.TrainShape;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.encoder.AmdimFeatures;
import dev.contrastive.models.encoder.CpcEncoder;
import dev.contrastive.models.encoder.CpcFeatures;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.amdim.AmdimMethod;
import dev.contrastive.models.method.amdim.AmdimMethodConfig;
import dev.contrastive.models.method.cpc.CpcMethod;
import dev.contrastive.models.method.cpc.CpcMethodConfig;
import dev.contrastive.models.nn.FastPaths;
import dev.contrastive.models.train.optim.Adam;
import dev.contrastive.models.train.optim.AdamOptions;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step of AMDIM and CPC v2, ours (ND4J, hand-written backward, fused losses) side by
 * side with the same architecture, loss and optimiser in PyTorch with autograd (DJL), plus what the
 * step is made of: the encoder's forward alone, forward+backward alone, and the bare libnd4j
 * convolutions of the encoder's layer shapes (the throughput the encoder is measured against).
 * {@code BenchReport} turns the results into ours/PyTorch ratios and shares of conv throughput.
 *
 * <p>Shapes ({@link TrainShape}): {@code amdim-small} (AmdimConfig.small(1), Fashion-MNIST 1x32x32)
 * and {@code amdim-cifar} (publishedCifar: ndf 128, n_rkhs 1024, n_depth 3, 3x32x32) at batch 64
 * and 200, and {@code cpc-small} (CpcConfig.small(1), 49 patches per image) at batch 64; the
 * encoder-alone and conv measurements at batch 64 only, to keep the run within minutes. A step is
 * what the trainer runs per batch: {@link Method#forwardBackward} ({@link AmdimMethod}: both views,
 * fused AMDIM loss, backward; {@link CpcMethod}: one view, fused CPC loss, backward) plus one Adam
 * update at the full rate of AdamOptions.amdim() (a schedule's factor 1, past AMDIM's warm-up),
 * both inside one {@code NativeMemory.scope("train-step")}, the scope the trainer opens per step.
 * The views are fixed random tensors made at setup: in training, augmentation runs on producer
 * threads ahead of the step, and the pipeline has its own benchmark (PairProducerBenchmark). The
 * PyTorch side gets a copy of our initial weights and the method config's loss options
 * (TorchEncodersTest checks that both compute the same features and losses).
 *
 * <p>Big shapes take seconds per call, so iterations are few and long: with AverageTime an
 * iteration runs at least one call, which for amdim-cifar/200 makes each iteration a single shot.
 * The native thread count comes from the environment ({@code scripts/bench-train.sh}), checked
 * against PyTorch's at setup, except for the one-thread methods, which fork through {@code
 * scripts/jmh-fork-1thread.sh}.
 */
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 2, time = 3)
public class TrainBenchmark extends ForkedBenchmark {

    static final long SEED = 20261129L;
    static final double LR = AdamOptions.amdim().lr();

    /** The trainer's per-step workspace scope: the step and the Adam update run inside it. */
    static final String STEP_SCOPE = "train-step";

    /** The AMDIM method (published loss) of an AMDIM shape. */
    static AmdimMethodConfig amdimMethod(TrainShape shape) {
        return AmdimMethodConfig.of(shape.amdimConfig());
    }

    /** The CPC v2 method (the paper's loss) of a CPC shape. */
    static CpcMethodConfig cpcMethod(TrainShape shape) {
        return CpcMethodConfig.of(shape.cpcConfig());
    }

    /** Our method (model and fused loss), optimiser and fixed views for one shape. */
    @State(Scope.Benchmark)
    public abstract static class OursBase {
        TrainShape model;
        Method method;

        /** The encoder of {@link #method}, for the encoder-alone measurements; null for CPC. */
        AmdimEncoder amdim;

        /** The model of {@link #method}, for the encoder-alone measurements; null for AMDIM. */
        CpcEncoder cpc;

        Adam adam;
        INDArray viewA;
        INDArray viewB;
        long step;

        void init(String text) {
            NativeThreads.requireNd4jMatchesTorch();
            model = TrainShape.parse(text);
            long[] s = model.imageShape();
            viewA = RandomInputs.nd4j(RandomInputs.gaussian(SEED, RandomInputs.count(s)), s);
            viewB = RandomInputs.nd4j(RandomInputs.gaussian(SEED + 1, RandomInputs.count(s)), s);
            if (model.isAmdim()) {
                AmdimMethod m = new AmdimMethod(amdimMethod(model), DataType.FLOAT, SEED);
                method = m;
                amdim = m.encoder();
            } else {
                CpcMethod m = new CpcMethod(cpcMethod(model), DataType.FLOAT, SEED);
                method = m;
                cpc = m.encoder();
            }
            adam = new Adam(AdamOptions.amdim(), method.parameters());
        }

        MemoryWorkspace workspace() {
            return NativeMemory.scope(STEP_SCOPE);
        }

        /** Closes the method, which closes its encoder(s) and parameters. */
        @TearDown(Level.Trial)
        public void tearDown() {
            if (method != null) {
                method.close();
            }
        }
    }

    /** Every benchmarked shape. */
    public static class Ours extends OursBase {
        @Param({"amdim-small/64", "amdim-small/200", "amdim-cifar/64", "amdim-cifar/200", "cpc-small/64"})
        public String shape;

        @Setup(Level.Trial)
        public void setUp() {
            init(shape);
        }
    }

    /** Shapes of the encoder-alone and conv measurements (batch 200 would only scale them). */
    public static class OursEncoder extends OursBase {
        @Param({"amdim-small/64", "amdim-cifar/64", "cpc-small/64"})
        public String shape;

        @Setup(Level.Trial)
        public void setUp() {
            init(shape);
        }
    }

    /** The shape of the thread-count comparison. */
    public static class OursOneThread extends OursBase {
        @Param({"amdim-small/64"})
        public String shape;

        @Setup(Level.Trial)
        public void setUp() {
            init(shape);
        }
    }

    /**
     * Our step with every fast path switched off ({@link FastPaths}): each layer on its plain libnd4j
     * ops, the design before the fast paths, measured in the same run as {@link Ours}.
     */
    public static class OursOpPath extends OursBase {
        @Param({"amdim-small/64", "amdim-cifar/64", "cpc-small/64"})
        public String shape;

        @Setup(Level.Trial)
        public void setUp() {
            FastPaths.setEnabled(false);
            init(shape);
        }
    }

    /** The PyTorch step over a copy of our initial weights, and the same views. */
    @State(Scope.Benchmark)
    public abstract static class TorchBase {
        TrainShape model;
        NDManager manager;
        TorchTrainSteps.Amdim amdim;
        TorchTrainSteps.Cpc cpc;
        NDArray viewA;
        NDArray viewB;
        long step;

        void init(String text) {
            NativeThreads.requireNd4jMatchesTorch();
            model = TrainShape.parse(text);
            manager = TorchRuntime.engine().newBaseManager();
            long[] s = model.imageShape();
            viewA = RandomInputs.torch(manager, RandomInputs.gaussian(SEED, RandomInputs.count(s)), s);
            viewB = RandomInputs.torch(manager, RandomInputs.gaussian(SEED + 1, RandomInputs.count(s)), s);
            if (model.isAmdim()) {
                AmdimMethodConfig config = amdimMethod(model);
                try (AmdimMethod ours = new AmdimMethod(config, DataType.FLOAT, SEED)) {
                    amdim = new TorchTrainSteps.Amdim(
                            config.encoder(), ours.parameters(), config.loss(), AdamOptions.amdim(), manager);
                }
            } else {
                CpcMethodConfig config = cpcMethod(model);
                try (CpcMethod ours = new CpcMethod(config, DataType.FLOAT, SEED)) {
                    cpc = new TorchTrainSteps.Cpc(
                            config.model(), ours.parameters(), config.loss(), AdamOptions.amdim(), manager);
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            manager.close();
        }
    }

    public static class Torch extends TorchBase {
        @Param({"amdim-small/64", "amdim-small/200", "amdim-cifar/64", "amdim-cifar/200", "cpc-small/64"})
        public String shape;

        @Setup(Level.Trial)
        public void setUp() {
            init(shape);
        }
    }

    public static class TorchEncoder extends TorchBase {
        @Param({"amdim-small/64", "amdim-cifar/64", "cpc-small/64"})
        public String shape;

        @Setup(Level.Trial)
        public void setUp() {
            init(shape);
        }
    }

    public static class TorchOneThread extends TorchBase {
        @Param({"amdim-small/64"})
        public String shape;

        @Setup(Level.Trial)
        public void setUp() {
            init(shape);
        }
    }

    /** The bare conv ops of one encoder pass at this shape. */
    @State(Scope.Benchmark)
    public static class Convs {
        @Param({"amdim-small/64", "amdim-cifar/64", "cpc-small/64"})
        public String shape;

        ConvOps ops;

        @Setup(Level.Trial)
        public void setUp() {
            NativeThreads.requireNd4jMatchesTorch();
            ops = new ConvOps(TrainShape.parse(shape).convShapes(), SEED);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            ops.close();
        }
    }

    /**
     * Our training step. Pitfall: the workspace must enclose the step and the Adam update, as in the
     * trainer; without it every step's arrays are fresh native memory that only a garbage collection
     * returns, and the timing would include faulting in new pages.
     */
    @Benchmark
    public double ourStep(Ours s) {
        return runStep(s);
    }

    /**
     * Our step on the plain libnd4j-op path. Pitfall: the switch is process-wide; JMH forks a JVM per
     * method and shape, so it cannot leak into {@link #ourStep}'s measurements (with forks = 0 it
     * would).
     */
    @Benchmark
    public double ourStepOpPath(OursOpPath s) {
        return runStep(s);
    }

    /**
     * PyTorch's step: forward, loss, backward(), Adam. Pitfall: DJL attaches every intermediate, and
     * every gradient wrapper, to a manager; the step runs in a sub-manager closed at its end, or
     * native memory would grow call after call and later calls would be slower.
     */
    @Benchmark
    public double torchStep(Torch t) {
        return runTorchStep(t);
    }

    /**
     * Our step with one native thread. Pitfall: OMP_NUM_THREADS is read when the native libraries
     * load, so it cannot come from jvmArgs or a system property: the fork starts through a launcher
     * script that exports it (NativeThreads checks that ND4J and PyTorch both got 1).
     */
    @Benchmark
    @Fork(value = 1, jvm = "scripts/jmh-fork-1thread.sh")
    public double ourStepOneThread(OursOneThread s) {
        return runStep(s);
    }

    /** PyTorch's step with one intra-op thread; see {@link #ourStepOneThread}. */
    @Benchmark
    @Fork(value = 1, jvm = "scripts/jmh-fork-1thread.sh")
    public double torchStepOneThread(TorchOneThread t) {
        return runTorchStep(t);
    }

    /**
     * Our encoder's forward pass on one view, training mode. Pitfall: evaluation mode (running
     * statistics) would time a different, cheaper computation than the one a step runs.
     */
    @Benchmark
    public Object ourForward(OursEncoder s) {
        try (MemoryWorkspace ws = s.workspace()) {
            return s.model.isAmdim() ? s.amdim.forward(s.viewA, true) : s.cpc.forward(s.viewA, true);
        }
    }

    /**
     * Our encoder's forward and backward on one view, the taps' gradients being the taps themselves.
     * Parameter gradients only, as in training and as PyTorch computes them for an input that does
     * not require grad. Pitfall: a backward pass cannot be timed alone, it consumes its forward's
     * cache; backward time is this minus {@link #ourForward}.
     */
    @Benchmark
    public Object ourForwardBackward(OursEncoder s) {
        try (MemoryWorkspace ws = s.workspace()) {
            if (s.model.isAmdim()) {
                AmdimFeatures f = s.amdim.forward(s.viewA, true);
                s.amdim.parameters().zeroGrad();
                s.amdim.backwardToParameters(f.r1(), f.r5(), f.r7());
                return f;
            }
            CpcFeatures f = s.cpc.forward(s.viewA, true);
            s.cpc.parameters().zeroGrad();
            s.cpc.backwardToParameters(f.targets(), f.predictions(), null);
            return f;
        }
    }

    /** PyTorch's encoder forward on one view, training mode, no autograd recording. */
    @Benchmark
    public void torchForward(TorchEncoder t) {
        runTorchEncoder(t, false);
    }

    /**
     * PyTorch's encoder forward and backward on one view (backward of sum(r^2)/2 over the outputs,
     * the same tap gradients as ours). Pitfall: the forward must run inside the GradientCollector, or
     * autograd records nothing and backward() has no graph.
     */
    @Benchmark
    public void torchForwardBackward(TorchEncoder t) {
        runTorchEncoder(t, true);
    }

    /**
     * libnd4j conv2d of every convolution in one encoder forward pass, nothing else. Pitfall: the
     * outputs are preallocated, so this is the ops' own throughput; the encoder's Conv2d allocates
     * its outputs (in the workspace), which is part of what the comparison exposes.
     */
    @Benchmark
    public void convForward(Convs c) {
        c.ops.forwardAll();
    }

    /** conv2d then conv2d_bp of every convolution of one encoder pass; see {@link #convForward}. */
    @Benchmark
    public void convForwardBackward(Convs c) {
        c.ops.forwardBackwardAll();
    }

    /**
     * One training step as the trainer runs it: the method's forward, loss and backward, then the
     * Adam update, inside one workspace scope. CPC ({@code views() == 1}) is given view A only.
     */
    static double runStep(OursBase s) {
        try (MemoryWorkspace ws = s.workspace()) {
            long i = s.step++;
            INDArray viewB = s.method.views() == 2 ? s.viewB : null;
            double loss = s.method.forwardBackward(i, s.viewA, viewB, SEED + i).loss();
            s.adam.step(s.method.parameters(), LR);
            return loss;
        }
    }

    static double runTorchStep(TorchBase t) {
        long i = t.step++;
        return t.model.isAmdim() ? t.amdim.step(t.viewA, t.viewB, SEED + i, LR) : t.cpc.step(t.viewA, LR);
    }

    /** PyTorch's encoder alone on view A, training mode, with autograd's backward when asked. */
    static void runTorchEncoder(TorchBase t, boolean backward) {
        if (t.model.isAmdim()) {
            t.amdim.encoderPass(t.viewA, backward);
        } else {
            t.cpc.encoderPass(t.viewA, backward);
        }
    }
}

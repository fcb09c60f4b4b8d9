package dev.contrastive.bench.train;

import dev.contrastive.bench.torch.ConvShape;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.encoder.CpcEncoder;
import dev.contrastive.models.nn.FastPaths;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where our encoder's time goes: per convolution layer shape, libnd4j conv2d and conv2d_bp alone
 * (ms and GFLOP/s), against the whole encoder's forward and forward+backward, so that "other"
 * (batch norm, ReLU, pooling, residual adds, allocation) is the difference. Medians of a few runs
 * after warm-up; not a benchmark (TrainBenchmark is), a profile for deciding what to change.
 *
 * <p>Then the encoder's own breakdown: a Java Flight Recorder recording of forward+backward passes
 * (20 passes; execution and native-method samples of the calling thread, which runs every libnd4j
 * op and waits in it while the op's worker threads finish), each sample charged to the innermost
 * layer on its stack ({@code BatchNorm2d.backward}, {@code Residual.forward} for its add, ...).
 * In-situ shares, unlike the isolated conv op timings above, which run on warm caches.
 *
 * <p>Every pass runs inside the trainer's per-step workspace scope ({@code
 * NativeMemory.scope("train-step")}), so its arrays reuse the same native memory pass after pass,
 * as in training.
 *
 * <p>Usage: {@code EncoderProfile [shape] [runs] [fast|ops-only]}, e.g. {@code amdim-small/64 5
 * ops-only}; {@code ops-only} switches the layers' {@link FastPaths} off, the design before them.
 */
public final class EncoderProfile {

    private EncoderProfile() {}

    private static final int SAMPLED_PASSES = 20;

    /** Each pass runs in the workspace scope the trainer opens around a training step. */
    private static final String STEP_SCOPE = "train-step";

    public static void main(String[] args) {
        TrainShape shape = TrainShape.parse(args.length > 0 ? args[0] : "amdim-small/64");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        boolean opsOnly = args.length > 2 && args[2].equals("ops-only");
        FastPaths.setEnabled(!opsOnly);
        System.out.printf(
                "%s, threads %d, load average %.2f, %s%n",
                shape,
                Nd4j.getEnvironment().maxThreads(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                opsOnly ? "fast paths off (libnd4j ops only)" : "fast paths on");
        List<ConvShape> shapes = shape.convShapes();
        double convFwd = 0;
        double convBwd = 0;
        double flops = 0;
        try (ConvOps ops = new ConvOps(shapes, 1)) {
            System.out.println(
                    "| # | input (N, C, H, W) | weights (Cout, Cin, kH, kW) / stride | fwd ms | fwd GFLOP/s | bwd ms | bwd GFLOP/s |");
            System.out.println("|---|---|---|---:|---:|---:|---:|");
            for (int i = 0; i < shapes.size(); i++) {
                int layer = i;
                ConvShape s = shapes.get(i);
                double f = median(runs, () -> ops.forward(layer));
                double b = median(runs, () -> ops.backward(layer));
                convFwd += f;
                convBwd += b;
                flops += s.forwardFlops();
                System.out.printf(
                        Locale.ROOT,
                        "| %d | %d, %d, %d, %d | %d, %d, %d, %d / %d | %.2f | %.1f | %.2f | %.1f |%n",
                        i,
                        s.n(),
                        s.cIn(),
                        s.h(),
                        s.w(),
                        s.cOut(),
                        s.cIn(),
                        s.kH(),
                        s.kW(),
                        s.stride(),
                        f,
                        s.forwardFlops() / f / 1e6,
                        b,
                        s.backwardFlops() / b / 1e6);
            }
        }
        double[] enc = new double[2];
        try (Passes p = passes(shape)) {
            enc[0] = median(runs, p::forward);
            enc[1] = median(runs, p::forwardBackward);
            LayerSamples.print(() -> {
                for (int i = 0; i < SAMPLED_PASSES; i++) {
                    p.forwardBackward();
                }
            });
        }
        double encBwd = enc[1] - enc[0];
        System.out.printf(
                Locale.ROOT,
                "conv ops: forward %.1f ms (%.1f GFLOP/s), backward %.1f ms (%.1f GFLOP/s)%n",
                convFwd,
                flops / convFwd / 1e6,
                convBwd,
                2 * flops / convBwd / 1e6);
        System.out.printf(
                Locale.ROOT,
                "encoder: forward %.1f ms (conv %.0f%%, other %.1f ms), backward %.1f ms (conv %.0f%%, other %.1f ms)%n",
                enc[0],
                100 * convFwd / enc[0],
                enc[0] - convFwd,
                encBwd,
                100 * convBwd / encBwd,
                encBwd - convBwd);
    }

    /**
     * One encoder's forward and forward+backward passes (parameter gradients) on a fixed random
     * batch.
     */
    private interface Passes extends AutoCloseable {
        void forward();

        void forwardBackward();

        @Override
        void close();
    }

    private static Passes passes(TrainShape shape) {
        INDArray x = Nd4j.rand(DataType.FLOAT, shape.imageShape());
        if (shape.isAmdim()) {
            AmdimEncoder enc = AmdimEncoder.create(shape.amdimConfig(), DataType.FLOAT, 1);
            return passes(enc::close, () -> enc.forward(x, true), a -> {
                enc.parameters().zeroGrad();
                enc.backwardToParameters(a.r1(), a.r5(), a.r7());
            });
        }
        CpcEncoder enc = CpcEncoder.create(shape.cpcConfig(), DataType.FLOAT, 1);
        return passes(enc::close, () -> enc.forward(x, true), a -> {
            enc.parameters().zeroGrad();
            enc.backwardToParameters(a.targets(), a.predictions(), null);
        });
    }

    /** An encoder's passes, each in the step's workspace scope: a backward follows its forward. */
    private static <F> Passes passes(Runnable close, Supplier<F> forward, Consumer<F> backward) {
        return new Passes() {
            @Override
            public void forward() {
                try (MemoryWorkspace ws = NativeMemory.scope(STEP_SCOPE)) {
                    forward.get();
                }
            }

            @Override
            public void forwardBackward() {
                try (MemoryWorkspace ws = NativeMemory.scope(STEP_SCOPE)) {
                    backward.accept(forward.get());
                }
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }

    /** Median ms of {@code runs} calls after two warm-up calls. */
    private static double median(int runs, Runnable call) {
        double[] t = new double[runs];
        for (int r = -2; r < runs; r++) {
            long t0 = System.nanoTime();
            call.run();
            if (r >= 0) {
                t[r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(t);
        return t[runs / 2];
    }
}

package dev.contrastive.bench;

import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.encoder.AmdimFeatures;
import dev.contrastive.models.encoder.CpcConfig;
import dev.contrastive.models.encoder.CpcEncoder;
import dev.contrastive.models.encoder.CpcFeatures;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward and forward+backward wall time of the AMDIM and CPC v2 encoders (float32, training mode)
 * for their small and CIFAR-scale configurations. A quick look, not a benchmark: medians of a few
 * runs after warm-up, with the load average printed since the machine is shared. One {@code
 * System.gc()} per step, untimed, bounds native memory (see the nn Arena).
 *
 * <p>Usage: {@code EncoderTiming [batch] [runs]} (defaults 64 and 5).
 */
public final class EncoderTiming {

    private EncoderTiming() {}

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.printf(
                "load average before: %.2f, cores %d%n",
                load(), Runtime.getRuntime().availableProcessors());
        time("small (ndf 32, n_rkhs 256, n_depth 1, 1 channel)", AmdimConfig.small(1), batch, runs);
        time("small (ndf 32, n_rkhs 256, n_depth 1, 3 channels)", AmdimConfig.small(3), batch, runs);
        time("published CIFAR (ndf 128, n_rkhs 1024, n_depth 3)", AmdimConfig.publishedCifar(), batch, runs);
        timeCpc("CPC v2 small (width 16, 1 block/stage, context 64)", CpcConfig.small(1), batch, runs);
        // 49 patches per image: batch / 4 keeps the CIFAR-scale CPC step within a few GB.
        timeCpc(
                "CPC v2 CIFAR-scale (width 64, 3 blocks/stage, context 256)",
                CpcConfig.cifar(),
                Math.max(2, batch / 4),
                runs);
        System.out.printf("load average after: %.2f%n", load());
    }

    private static void time(String label, AmdimConfig cfg, int batch, int runs) {
        try (AmdimEncoder enc = AmdimEncoder.create(cfg, DataType.FLOAT, 1)) {
            INDArray x = Nd4j.rand(DataType.FLOAT, batch, cfg.inChannels(), cfg.encoderSize(), cfg.encoderSize());
            report(label, enc.parameters().count(), batch, runs, () -> {
                AmdimFeatures f = enc.forward(x, true);
                return () -> {
                    enc.parameters().zeroGrad();
                    enc.backward(f.r1(), f.r5(), f.r7());
                };
            });
        }
    }

    private static void timeCpc(String label, CpcConfig cfg, int batch, int runs) {
        try (CpcEncoder enc = CpcEncoder.create(cfg, DataType.FLOAT, 1)) {
            INDArray x = Nd4j.rand(DataType.FLOAT, batch, cfg.inChannels(), cfg.imageSize(), cfg.imageSize());
            report(label, enc.parameters().count(), batch, runs, () -> {
                CpcFeatures f = enc.forward(x, true);
                return () -> {
                    enc.parameters().zeroGrad();
                    enc.backward(f.targets(), f.predictions(), null);
                };
            });
        }
    }

    /** One training-mode pass: runs the forward pass and returns its backward pass. */
    @FunctionalInterface
    private interface Pass {
        Runnable forward();
    }

    /** Times forward and forward+backward after two warm-up passes and prints their medians. */
    private static void report(String label, long parameters, int batch, int runs, Pass pass) {
        double[] fwd = new double[runs];
        double[] step = new double[runs];
        for (int r = -2; r < runs; r++) {
            long t0 = System.nanoTime();
            Runnable backward = pass.forward();
            long t1 = System.nanoTime();
            backward.run();
            long t2 = System.nanoTime();
            if (r >= 0) {
                fwd[r] = (t1 - t0) / 1e6;
                step[r] = (t2 - t0) / 1e6;
            }
            // Outside the timed region: closed ND4J arrays only give back native memory after a GC.
            System.gc();
        }
        System.out.printf(
                "%s, %d parameters, B=%d: forward %.0f ms, forward+backward %.0f ms (medians of %d)%n",
                label, parameters, batch, median(fwd), median(step), runs);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}

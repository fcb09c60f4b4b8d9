package dev.contrastive.bench;

import dev.contrastive.bench.report.BenchReport;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * Our training step and PyTorch's, alternating in one JVM: each round times both on the same shape
 * back to back (ours then PyTorch's in even rounds, the reverse in odd ones), so a change of the
 * machine's load during the run hits both sides of a round alike. The figure is the median of the
 * per-round ratios with its interquartile range; {@link TrainBenchmark} measures each side in its
 * own fork, minutes apart, which on a shared machine moved the big shapes' ratios by 0.1-0.2
 * between runs. Same steps and states as TrainBenchmark (its {@code Ours} and {@code Torch}).
 *
 * <p>What it trades for that: both frameworks share one process, its caches, allocator and two
 * OpenMP runtimes. Measured here (2026-11-29), PyTorch's CIFAR step at batch 200 took 15.6 s when
 * alternating with ours against 8.6-9.5 s alone in its JMH fork, and our CPC step lost 10% the same
 * way; so TrainBenchmark's separate forks stay the headline, and this is the check of how much of a
 * ratio is load drift.
 *
 * <p>Usage: {@code InterleavedSteps OUT.md ROUNDS SHAPE...}, e.g. {@code out.md 15 amdim-small/64}.
 */
public final class InterleavedSteps {

    private static final int WARM_UP_ROUNDS = 5;

    private InterleavedSteps() {}

    /** One shape's per-round times in ms. */
    record Rounds(String shape, double[] ours, double[] torch) {
        double[] ratios() {
            double[] r = new double[ours.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = ours[i] / torch[i];
            }
            return r;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: InterleavedSteps OUT.md ROUNDS SHAPE...");
        }
        Path out = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        if (rounds < 3) {
            throw new IllegalArgumentException("ROUNDS must be >= 3 for quartiles, got " + rounds);
        }
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        List<Rounds> results = new ArrayList<>();
        for (String shape : Arrays.copyOfRange(args, 2, args.length)) {
            results.add(run(shape, rounds));
            System.out.println(line(results.get(results.size() - 1)));
        }
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        StringBuilder md = new StringBuilder("# Training step, ours and PyTorch interleaved\n\n");
        md.append("- Date (UTC): ").append(Instant.now().toString(), 0, 19).append('\n');
        md.append("- Machine: ").append(BenchReport.machine()).append('\n');
        md.append(
                String.format(Locale.ROOT, "- Load average (1 min): %.2f before, %.2f after%n", loadBefore, loadAfter));
        md.append("- ")
                .append(rounds)
                .append(" timed rounds per shape after ")
                .append(WARM_UP_ROUNDS)
                .append(" warm-up rounds; each round one step of ours and one of PyTorch's, order alternating\n");
        md.append("- Command: `scripts/bench-train-interleaved.sh ")
                .append(rounds)
                .append(' ')
                .append(String.join(" ", Arrays.copyOfRange(args, 2, args.length)))
                .append("`\n\n");
        md.append(
                "| shape | ours, median ms | PyTorch, median ms | ours/PyTorch, median of rounds | interquartile range |\n");
        md.append("|---|---:|---:|---:|---|\n");
        for (Rounds r : results) {
            md.append(line(r)).append('\n');
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Files.writeString(tmp, md.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Rounds run(String shape, int rounds) {
        TrainBenchmark.Ours ours = new TrainBenchmark.Ours();
        ours.shape = shape;
        ours.setUp();
        TrainBenchmark.Torch torch = new TrainBenchmark.Torch();
        torch.shape = shape;
        torch.setUp();
        try {
            double[] oursMs = new double[rounds];
            double[] torchMs = new double[rounds];
            for (int r = -WARM_UP_ROUNDS; r < rounds; r++) {
                double o;
                double t;
                if ((r & 1) == 0) {
                    o = time(() -> TrainBenchmark.runStep(ours));
                    t = time(() -> TrainBenchmark.runTorchStep(torch));
                } else {
                    t = time(() -> TrainBenchmark.runTorchStep(torch));
                    o = time(() -> TrainBenchmark.runStep(ours));
                }
                if (r >= 0) {
                    oursMs[r] = o;
                    torchMs[r] = t;
                }
            }
            return new Rounds(shape, oursMs, torchMs);
        } finally {
            ours.tearDown();
            torch.tearDown();
        }
    }

    private static double time(Runnable step) {
        long t0 = System.nanoTime();
        step.run();
        return (System.nanoTime() - t0) / 1e6;
    }

    private static String line(Rounds r) {
        Percentile p = new Percentile();
        double[] ratios = r.ratios();
        return String.format(
                Locale.ROOT,
                "| %s | %.0f | %.0f | %.2f | %.2f-%.2f |",
                r.shape(),
                p.evaluate(r.ours(), 50),
                p.evaluate(r.torch(), 50),
                p.evaluate(ratios, 50),
                p.evaluate(ratios, 25),
                p.evaluate(ratios, 75));
    }
}

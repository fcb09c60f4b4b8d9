package dev.contrastive.bench.parallel;

import dev.contrastive.core.io.AtomicFiles;
import dev.contrastive.models.method.MethodConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Steps per second of the small AMDIM at one global batch under several {@link Split}s, relative to
 * the first (the plain step), all in one JVM and interleaved: each round runs one step of every
 * split, round-robin, the starting split moving on by one each round, so a change of the machine's
 * load hits every split alike (as in InterleavedSteps). The figure per split is the median over
 * rounds of {@code time(reference) / time(split)}, its steps/s relative to the reference's, with
 * quartiles and range.
 *
 * <p>Every split has its own method instance (same seed), optimiser and replicas, and all run the
 * same two fixed views; weights drift apart over the rounds, which does not change the work of a
 * step. Replicas are threads: each runs its native ops on OMP_NUM_THREADS threads of its own, so
 * two replicas on two cores share them with each other.
 *
 * <p>Usage: {@code ReplicaThroughput OUT.md COMMAND CPU ROUNDS BATCH SPLIT...}, the first split the
 * reference, e.g. {@code out.md "scripts/bench-parallel.sh throughput" "Xeon" 15 64 plain r2 r1m16
 * r1}.
 */
public final class ReplicaThroughput {

    private static final int WARM_UP_ROUNDS = 3;

    private ReplicaThroughput() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 7) {
            throw new IllegalArgumentException(
                    "usage: ReplicaThroughput OUT.md COMMAND CPU ROUNDS BATCH REFERENCE_SPLIT SPLIT...");
        }
        Path out = Path.of(args[0]);
        RunHeader header = RunHeader.startingNow(args[1], args[2]);
        int rounds = Integer.parseInt(args[3]);
        if (rounds < 3) {
            throw new IllegalArgumentException("ROUNDS must be >= 3 for quartiles, got " + rounds);
        }
        int batch = Integer.parseInt(args[4]);
        if (batch < 2) {
            throw new IllegalArgumentException("BATCH must be >= 2, got " + batch);
        }
        List<Split> splits = new ArrayList<>();
        for (String s : Arrays.copyOfRange(args, 5, args.length)) {
            Split split = Split.parse(s);
            if (splits.contains(split)) {
                throw new IllegalArgumentException("split " + s + " is named twice");
            }
            splits.add(split);
        }
        double[][] ms = measure(TrainingStep.smallAmdim(), splits, batch, rounds);
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        String md = header.markdown("Data-parallel throughput on the CPU, interleaved")
                + render(splits, ms, batch, rounds, loadAfter);
        AtomicFiles.writeString(out, md);
        System.out.print(md);
    }

    /** Per split, per round, the step's wall time in ms. */
    private static double[][] measure(MethodConfig config, List<Split> splits, int batch, int rounds) {
        INDArray viewA = TrainingStep.view(batch, TrainingStep.SEED);
        INDArray viewB = TrainingStep.view(batch, TrainingStep.SEED + 1);
        List<TrainingStep> steps = new ArrayList<>();
        try {
            for (Split s : splits) {
                steps.add(new TrainingStep(config, s));
            }
            int n = splits.size();
            double[][] ms = new double[n][rounds];
            for (int r = -WARM_UP_ROUNDS; r < rounds; r++) {
                for (int k = 0; k < n; k++) {
                    int which = Math.floorMod(r + k, n);
                    long t0 = System.nanoTime();
                    double loss = steps.get(which).run(viewA, viewB);
                    double elapsed = (System.nanoTime() - t0) / 1e6;
                    if (!Double.isFinite(loss)) {
                        throw new IllegalStateException(
                                splits.get(which).label() + " gave loss " + loss + " in round " + r);
                    }
                    if (r >= 0) {
                        ms[which][r] = elapsed;
                    }
                }
                if (r >= 0) {
                    System.err.printf(Locale.ROOT, "round %d/%d: %s%n", r + 1, rounds, roundLine(splits, ms, r));
                }
            }
            return ms;
        } finally {
            steps.forEach(TrainingStep::close);
        }
    }

    private static String roundLine(List<Split> splits, double[][] ms, int r) {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < splits.size(); k++) {
            s.append(k == 0 ? "" : ", ")
                    .append(splits.get(k).label())
                    .append(String.format(Locale.ROOT, " %.0f ms", ms[k][r]));
        }
        return s.toString();
    }

    /** The report's body after the header: settings, then one row per split. */
    static String render(List<Split> splits, double[][] ms, int batch, int rounds, double loadAfter) {
        Percentile p = new Percentile();
        Split reference = splits.get(0);
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "- Load average (1 min) at the end: %.2f%n", loadAfter));
        md.append("- Model: the small AMDIM (registry \"amdim\", encoder \"small\": ndf 32, n_rkhs 256, depth 1),"
                        + " 1 x 32 x 32 float32 views, global batch ")
                .append(batch)
                .append("; a step is forward, loss, backward and Adam (AdamOptions.amdim()) in the trainer's"
                        + " \"train-step\" scope, plus DataParallel.syncWeights() for the split steps\n");
        md.append("- ")
                .append(rounds)
                .append(" timed rounds after ")
                .append(WARM_UP_ROUNDS)
                .append(" warm-up rounds; each round one step of every split, round-robin, the first split moving"
                        + " on by one each round\n");
        md.append("- Ratio: steps/s of the split over steps/s of the reference (")
                .append(reference.describe())
                .append(") in the same round, i.e. reference time / split time; above 1 is faster. Median over"
                        + " rounds, interquartile range and range.\n\n");
        md.append("| split | what | median ms/step | median steps/s | steps/s vs ")
                .append(reference.label())
                .append(", median of rounds | IQR | range |\n");
        md.append("|---|---|---:|---:|---:|---|---|\n");
        for (int k = 0; k < splits.size(); k++) {
            double median = p.evaluate(ms[k], 50);
            String ratio = "1 (reference) | |";
            if (k > 0) {
                RatioSummary r = RatioSummary.of(ms[0], ms[k]);
                ratio = String.format(
                        Locale.ROOT,
                        "%.2f | %.2f-%.2f | %.2f-%.2f",
                        r.median(),
                        r.lowerQuartile(),
                        r.upperQuartile(),
                        r.min(),
                        r.max());
            }
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %.0f | %.2f | %s |%n",
                    splits.get(k).label(),
                    splits.get(k).describe(),
                    median,
                    1000 / median,
                    ratio));
        }
        return md.toString();
    }
}

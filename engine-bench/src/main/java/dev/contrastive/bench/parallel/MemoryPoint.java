package dev.contrastive.bench.parallel;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One point of {@link MicroBatchMemory}, run in a JVM of its own so that no other point's memory
 * (workspaces, freed-but-kept allocator arenas) is in its peak: a few training steps of the small
 * AMDIM at one global batch and {@link Split}, with VmHWM reset before each step, so each step's
 * peak is its own. Prints one {@link Result} line on stdout.
 *
 * <p>Usage: {@code MemoryPoint GLOBAL SPLIT STEPS}, e.g. {@code 4096 r1m64 3}.
 */
public final class MemoryPoint {

    private MemoryPoint() {}

    /**
     * What one point measured, in KiB of resident memory (the JVM's whole process).
     *
     * @param global images per view in the step
     * @param split how the step ran
     * @param beforeKib VmRSS before the first step: heap (pre-touched), libraries, model, optimiser
     *     and views
     * @param peakKib VmHWM of each step, reset before it
     * @param afterKib VmRSS after each step (what the step's scopes keep between steps)
     */
    record Result(int global, Split split, long beforeKib, List<Long> peakKib, List<Long> afterKib) {

        static final String PREFIX = "memory-point";

        Result {
            if (global < 1) {
                throw new IllegalArgumentException("memoryPoint.global must be >= 1, got " + global);
            }
            if (beforeKib < 0) {
                throw new IllegalArgumentException("memoryPoint.beforeKib must be >= 0, got " + beforeKib);
            }
            if (peakKib.isEmpty() || peakKib.size() != afterKib.size()) {
                throw new IllegalArgumentException("memoryPoint needs one peak and one after value per step, got "
                        + peakKib.size()
                        + " and "
                        + afterKib.size());
            }
            peakKib = List.copyOf(peakKib);
            afterKib = List.copyOf(afterKib);
        }

        int steps() {
            return peakKib.size();
        }

        /**
         * The steady-state peak: the largest of steps 2 on (step 1 alone if there is one step). Step 1
         * is the workspaces' learning cycle: every array is a separate allocation, and each scope sizes
         * its buffer when it first closes, while the enclosing scope's arrays are still held.
         */
        long steadyPeakKib() {
            return steps() == 1
                    ? peakKib.get(0)
                    : peakKib.subList(1, steps()).stream()
                            .mapToLong(Long::longValue)
                            .max()
                            .orElseThrow();
        }

        /** The whole run's peak, step 1 included. */
        long runPeakKib() {
            return peakKib.stream().mapToLong(Long::longValue).max().orElseThrow();
        }

        /** The line {@link #parse} reads. */
        String format() {
            return PREFIX
                    + " global="
                    + global
                    + " split="
                    + split.label()
                    + " before_kib="
                    + beforeKib
                    + " peak_kib="
                    + join(peakKib)
                    + " after_kib="
                    + join(afterKib);
        }

        /**
         * Reads a {@link #format()} line.
         *
         * @throws IllegalArgumentException naming what is missing or malformed
         */
        static Result parse(String line) {
            String[] parts = line.trim().split(" ");
            if (parts.length != 6 || !parts[0].equals(PREFIX)) {
                throw new IllegalArgumentException("a memory point line must be '"
                        + PREFIX
                        + " global=.. split=.. before_kib=.. peak_kib=.. after_kib=..', got '"
                        + line
                        + "'");
            }
            try {
                return new Result(
                        Integer.parseInt(value(parts[1], "global")),
                        Split.parse(value(parts[2], "split")),
                        Long.parseLong(value(parts[3], "before_kib")),
                        longs(value(parts[4], "peak_kib")),
                        longs(value(parts[5], "after_kib")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a memory point line has a malformed number: '" + line + "'", e);
            }
        }

        private static String value(String part, String key) {
            if (!part.startsWith(key + "=")) {
                throw new IllegalArgumentException(
                        "a memory point line needs " + key + "=... here, got '" + part + "'");
            }
            return part.substring(key.length() + 1);
        }

        private static List<Long> longs(String csv) {
            return Arrays.stream(csv.split(",")).map(Long::parseLong).toList();
        }

        private static String join(List<Long> values) {
            return values.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: MemoryPoint GLOBAL SPLIT STEPS");
        }
        int global = Integer.parseInt(args[0]);
        Split split = Split.parse(args[1]);
        int steps = Integer.parseInt(args[2]);
        if (steps < 1) {
            throw new IllegalArgumentException("STEPS must be >= 1, got " + steps);
        }
        INDArray viewA = TrainingStep.view(global, TrainingStep.SEED);
        INDArray viewB = TrainingStep.view(global, TrainingStep.SEED + 1);
        List<Long> peaks = new ArrayList<>();
        List<Long> after = new ArrayList<>();
        long before;
        try (TrainingStep step = new TrainingStep(TrainingStep.smallAmdim(), split)) {
            before = ResidentMemory.read().residentKib();
            for (int s = 0; s < steps; s++) {
                ResidentMemory.resetPeak();
                double loss = step.run(viewA, viewB);
                ResidentMemory m = ResidentMemory.read();
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("step " + (s + 1) + " gave loss " + loss);
                }
                peaks.add(m.peakKib());
                after.add(m.residentKib());
            }
        }
        System.out.println(new Result(global, split, before, peaks, after).format());
    }
}
